-- Per-partition facts that outlive the instance copying a partition, so that any instance of a
-- fleet can continue it: whether the partition was left with nothing in flight (the next owner
-- need not wait out a vanished writer), whether it is aligned to its start offset, and whether it
-- reached the stop offset of a promotion. Who copies a partition is not stored: it is whoever
-- holds the partition's PostgreSQL advisory lock (see the README, "Several instances").
create table mirror_partitions (
    mirror_id    bigint  not null references mirror_topics (id) on delete cascade,
    partition    int     not null,
    quiet        boolean not null default false,
    aligned      boolean not null default false,
    reached_stop boolean not null default false,
    primary key (mirror_id, partition)
);
insert into mirror_partitions (mirror_id, partition, aligned)
select m.id, g.p, m.mirror_status <> 'PENDING_MIRROR'
from mirror_topics m, generate_series(0, m.num_partitions - 1) as g(p);
