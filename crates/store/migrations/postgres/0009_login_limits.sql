-- Login lockouts and per-address rate limits, counted in the database (issue 10) so that every
-- node behind a load balancer enforces the same limits. Keep in step with ../sqlite/0009_login_limits.sql.
-- Keys name what is counted: 'login-account:<name>', 'login-address:<address or /64>',
-- 'register:<address>'. Times are unix seconds.

-- Repeated failures of one key: after a threshold of failures the key is locked until
-- locked_until; each further lockout doubles (the rule is in core's limits module).
CREATE TABLE login_strikes (
    key           TEXT PRIMARY KEY,
    failures      BIGINT NOT NULL,
    lockouts      BIGINT NOT NULL,
    locked_until  BIGINT NOT NULL,
    last_at       BIGINT NOT NULL
);
CREATE INDEX login_strikes_last ON login_strikes (last_at);

-- Accepted requests of a sliding-window limit (registrations per address): counted over the
-- window, old rows swept.
CREATE TABLE rate_events (
    key  TEXT NOT NULL,
    at   BIGINT NOT NULL
);
CREATE INDEX rate_events_key ON rate_events (key, at);
