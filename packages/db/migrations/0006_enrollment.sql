-- Who a host is: enrollment tokens an admin hands out, the client certificates issued with
-- them (each bound to one host id), and which hosts were revoked.

create table enrollment_tokens (
  id                   bigserial primary key,
  name                 text not null check (length(name) between 1 and 128),
  -- what people see of a token, e.g. "pwe_3f9a2b1c" (the secret part is never stored)
  prefix               text not null,
  -- sha256 of the whole token, hex; the token itself is shown once, at creation
  token_hash           text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  -- operator labels every host enrolled with this token gets, e.g. {"env": "prod"}
  labels               jsonb not null default '{}',
  max_uses             integer not null check (max_uses >= 1),
  uses                 integer not null default 0 check (uses >= 0 and uses <= max_uses),
  expires_at           timestamptz not null,
  created_by_token_id  bigint references api_tokens (id),
  created_at           timestamptz not null default now(),
  revoked_at           timestamptz
);

-- One row per host that ever enrolled. A revoked host cannot connect or renew until it
-- enrolls again, which clears revoked_at.
create table host_identities (
  host_id              text primary key,
  enrollment_token_id  bigint references enrollment_tokens (id),
  -- the token's labels, copied at enrollment (a later change to the token does not move hosts)
  labels               jsonb not null default '{}',
  enrolled_at          timestamptz not null default now(),
  revoked_at           timestamptz
);

-- Every client certificate issued: a stream is accepted only with a certificate listed here,
-- for its host, not revoked. Renewals add rows; revoking a host revokes all of its rows.
create table host_certificates (
  serial               text primary key check (serial ~ '^[0-9A-F]{2,64}$'),
  host_id              text not null references host_identities (host_id),
  kind                 text not null check (kind in ('enrollment', 'renewal')),
  not_before           timestamptz not null,
  not_after            timestamptz not null,
  issued_at            timestamptz not null default now(),
  revoked_at           timestamptz
);
create index host_certificates_host_idx on host_certificates (host_id, not_after);
