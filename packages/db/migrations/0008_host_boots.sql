-- Every boot a host has announced (Hello.boot_id, and Hello.spooled_boot_ids for earlier boots
-- whose hits its spool still holds). A hit is stored only under a boot its own host announced.
create table host_boots (
  host_id        text not null references hosts (id) on delete cascade,
  boot_id        text not null check (length(boot_id) between 1 and 128),
  first_seen_at  timestamptz not null default now(),
  primary key (host_id, boot_id)
);

-- Boots known before this migration: each host's current one, and those it stored hits or dumps under.
insert into host_boots (host_id, boot_id) select id, boot_id from hosts where length(boot_id) between 1 and 128 on conflict do nothing;
insert into host_boots (host_id, boot_id)
  select distinct host_id, boot_id from hits where length(boot_id) between 1 and 128 on conflict do nothing;
insert into host_boots (host_id, boot_id)
  select distinct host_id, crashed_boot_id from vmcores where length(crashed_boot_id) between 1 and 128 on conflict do nothing;
