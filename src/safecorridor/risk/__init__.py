"""Risk engine: H3 threat surface, site and route scoring, the policy, and backtests.

Import from the submodules (``policy``, ``data``, ``surface``, ``scoring``, ``routes``,
``backtest``, ``service``); this package module stays light so that the models load fast.
"""
