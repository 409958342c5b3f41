"""The signed-in user\x27s own pages: sign-in, account, second factor, API tokens, and access grants."""
