-- Who may do what: API tokens with roles, and the audit log of every change.

create table api_tokens (
  id                   bigserial primary key,
  name                 text not null check (length(name) between 1 and 128),
  role                 text not null check (role in ('viewer', 'operator', 'admin')),
  -- what people see of a token, e.g. "pw_3f9a2b1c" (the secret part is never stored)
  prefix               text not null default '',
  -- sha256 of the whole token, hex; the token itself is shown once, at creation
  token_hash           text not null check (token_hash ~ '^[0-9a-f]{64}$'),
  -- the token PHYSWATCH_ADMIN_TOKEN sets at start (name "bootstrap", role admin)
  bootstrap            boolean not null default false,
  created_by_token_id  bigint references api_tokens (id),
  created_at           timestamptz not null default now(),
  -- updated at most once a minute per token
  last_used_at         timestamptz,
  revoked_at           timestamptz
);
-- A revoked token's hash may come back (the bootstrap token set again after a revoke).
create unique index api_tokens_active_hash_key on api_tokens (token_hash) where revoked_at is null;

create table audit_log (
  id           bigserial primary key,
  at           timestamptz not null default now(),
  -- who: null when the request carried no known token (a 401)
  token_id     bigint references api_tokens (id),
  token_name   text,
  token_role   text,
  -- what: e.g. watch.create, watch.stop, token.create; target is the row it acted on
  action       text not null,
  target       text,
  -- from where: the client address (X-Forwarded-For only with TRUST_PROXY)
  source_ip    text not null,
  method       text not null,
  path         text not null,
  -- the request body, secrets redacted; null when there was none
  request_body jsonb,
  status       integer not null
);
create index audit_log_at_idx on audit_log (at);
create index audit_log_token_idx on audit_log (token_id, id);
create index audit_log_action_idx on audit_log (action, id);
