"""The pure booking domain: plain values and rules, no database, no web, no clock."""
