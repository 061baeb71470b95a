-- ACL bindings that a link created on its destination cluster, one row per binding. ACL sync
-- only ever deletes bindings listed here; a binding that was already on the destination is never
-- recorded. The rows go with their link; the destination ACLs themselves stay.
create table synced_acls (
    id              bigserial    primary key,
    link_id         bigint       not null references cluster_links (id) on delete cascade,
    resource_type   varchar(32)  not null,
    resource_name   text         not null,
    pattern_type    varchar(16)  not null,
    principal       text         not null,
    host            text         not null,
    operation       varchar(32)  not null,
    permission_type varchar(16)  not null,
    created_at      timestamptz  not null,
    constraint uk_synced_acls_binding unique (link_id, resource_type, resource_name, pattern_type, principal, host,
        operation, permission_type)
);
