"""The fleet: many kiosks on one PostgreSQL. Heartbeats and states (`kiosks`), alerts
(`alerts`), remote commands (`commands`, run by `executors`), central configuration
(`settings`), kept logs (`logs`), this kiosk's screen (`screen`) and the agent thread."""

from kiosk.services.fleet.kiosks import state_counts

__all__ = ["state_counts"]
