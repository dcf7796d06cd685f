-- pay-store schema 1 (SQLite). Times are microseconds since the Unix epoch, on the host's clock.
CREATE TABLE pay_intents (
    id             INTEGER PRIMARY KEY,
    provider       TEXT    NOT NULL,
    operation      TEXT    NOT NULL,
    intent_id      TEXT    NOT NULL,
    payload        TEXT    NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('open', 'unknown', 'final')),
    owner          TEXT    NOT NULL,
    epoch          INTEGER NOT NULL,
    lease_until    INTEGER,
    due_at         INTEGER NOT NULL,
    outcome_name   TEXT,
    outcome_detail TEXT,
    evidence_count INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    finished_at    INTEGER,
    UNIQUE (provider, operation, intent_id)
);
CREATE INDEX pay_intents_unfinished ON pay_intents (due_at) WHERE state <> 'final';
CREATE INDEX pay_intents_created ON pay_intents (created_at) WHERE state <> 'final';

CREATE TABLE pay_intent_evidence (
    intent INTEGER NOT NULL REFERENCES pay_intents (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    kind   TEXT    NOT NULL,
    at     INTEGER NOT NULL,
    owner  TEXT    NOT NULL,
    epoch  INTEGER NOT NULL,
    data   TEXT    NOT NULL,
    PRIMARY KEY (intent, seq)
) WITHOUT ROWID;

-- A claimed (applied = 0) or applied (applied = 1) webhook event; `until` ends the claim's lease or
-- the applied event's retention.
CREATE TABLE pay_webhook_events (
    event_key TEXT    PRIMARY KEY,
    applied   INTEGER NOT NULL,
    until     INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX pay_webhook_events_until ON pay_webhook_events (until);

-- Objects that completed a terminal event, until when that is remembered.
CREATE TABLE pay_webhook_objects (
    object_key TEXT    PRIMARY KEY,
    until      INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX pay_webhook_objects_until ON pay_webhook_objects (until);

CREATE TABLE pay_poll_turns (
    provider  TEXT    NOT NULL,
    operation TEXT    NOT NULL,
    subject   TEXT    NOT NULL,
    last_turn INTEGER NOT NULL,
    PRIMARY KEY (provider, operation, subject)
) WITHOUT ROWID;
CREATE INDEX pay_poll_turns_last ON pay_poll_turns (last_turn);
