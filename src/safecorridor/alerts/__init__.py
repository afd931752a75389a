"""Alert rules, alerts, their deliveries (in-app, e-mail, signed webhooks) and the worker."""
