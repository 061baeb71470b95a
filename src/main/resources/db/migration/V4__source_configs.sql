-- The source topic's values of the configs a mirror owns while it mirrors (max.message.bytes,
-- cleanup.policy, retention, timestamp type), as JSON: given back when the mirror stops, also
-- when the source cannot be reached then (failover).
alter table mirror_topics add column source_configs text;
-- A mirror is recorded before its topic is created; until the topic and its read-only ACL exist it
-- is 'creating', and a creation interrupted by a crash is finished or rolled back later.
alter table mirror_topics add column creating boolean not null default false;
