-- Login lockouts and per-address rate limits, counted in the database (issue 10) so that every
-- node behind a load balancer enforces the same limits. Keep in step with ../postgres/0009_login_limits.sql.
-- Keys name what is counted: 'login-account:<name>', 'login-address:<address or /64>',
-- 'register:<address>'. Times are unix seconds.

-- Repeated failures of one key: after a threshold of failures the key is locked until
-- locked_until; each further lockout doubles (the rule is in core's limits module).
CREATE TABLE login_strikes (
    key           TEXT PRIMARY KEY,
    failures      INTEGER NOT NULL,
    lockouts      INTEGER NOT NULL,
    locked_until  INTEGER NOT NULL,
    last_at       INTEGER NOT NULL
);
CREATE INDEX login_strikes_last ON login_strikes (last_at);

-- Accepted requests of a sliding-window limit (registrations per address): counted over the
-- window, old rows swept.
CREATE TABLE rate_events (
    key  TEXT NOT NULL,
    at   INTEGER NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (key, at);
