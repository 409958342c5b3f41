"""The auditors' screens: who accessed a record, what a user looked at; CSV and PDF extracts."""
