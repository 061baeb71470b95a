-- Links live on a destination cluster; configs is a JSON object of name -> value in which
-- sensitive values are stored encrypted (AES-GCM, see store.SecretCipher).
create table cluster_links (
    id                 bigserial primary key,
    cluster_id         varchar(64)  not null,
    link_name          varchar(200) not null,
    cluster_link_id    varchar(32)  not null unique,
    source_cluster_id  varchar(64),
    configs            text         not null,
    link_state         varchar(32)  not null,
    link_error         varchar(64)  not null,
    link_error_message text,
    created_at         timestamptz  not null,
    updated_at         timestamptz  not null,
    version            bigint       not null default 0,
    constraint uk_cluster_links_name unique (cluster_id, link_name)
);

-- Mirror topics: the intent. Replication progress lives in the destination log itself.
create table mirror_topics (
    id                 bigserial primary key,
    link_id            bigint       not null references cluster_links (id) on delete cascade,
    cluster_id         varchar(64)  not null,
    mirror_topic_name  varchar(249) not null,
    source_topic_name  varchar(249) not null,
    source_topic_id    varchar(32),
    num_partitions     int          not null,
    mirror_status      varchar(32)  not null,
    mirror_topic_error varchar(64)  not null,
    status_message     text,
    state_time_ms      bigint       not null,
    start_offsets      text         not null,
    stop_offsets       text,
    created_at         timestamptz  not null,
    version            bigint       not null default 0,
    constraint uk_mirror_topics_name unique (cluster_id, mirror_topic_name)
);
create index ix_mirror_topics_link on mirror_topics (link_id);

-- Audit trail of state transitions; kept when links and mirrors are deleted.
create table state_transitions (
    id                bigserial primary key,
    cluster_id        varchar(64)  not null,
    link_name         varchar(200) not null,
    mirror_topic_name varchar(249),
    from_state        varchar(32),
    to_state          varchar(32)  not null,
    reason            text,
    at                timestamptz  not null
);
create index ix_state_transitions_link on state_transitions (cluster_id, link_name);
