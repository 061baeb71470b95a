-- How a mirror stops: PROMOTE (copy up to stop_offsets), FAILOVER (stop where it is), NONE before.
alter table mirror_topics add column stop_mode varchar(16) not null default 'NONE';
update mirror_topics set stop_mode = 'PROMOTE' where mirror_status = 'PENDING_STOPPED' and stop_offsets is not null;
update mirror_topics set stop_mode = 'FAILOVER' where mirror_status = 'PENDING_STOPPED' and stop_offsets is null;
