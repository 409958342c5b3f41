"""vcdhub's statistics: pure Python and NumPy/SciPy, no Django. Web pages and commands are thin adapters.

Estimators follow scikit-learn's contract: the constructor stores parameters, `fit(data)` returns
self, and learned results end in an underscore.
"""
