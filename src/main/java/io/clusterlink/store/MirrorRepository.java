package io.clusterlink.store;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepository;

@ApplicationScoped
public class MirrorRepository implements PanacheRepository<MirrorEntity> {

    public List<MirrorEntity> listByLink(long linkId) {
        return list("linkId = ?1 order by mirrorTopicName", linkId);
    }

    public List<MirrorEntity> listByCluster(String clusterId) {
        return list("clusterId = ?1 order by mirrorTopicName", clusterId);
    }

    public Optional<MirrorEntity> findByName(String clusterId, String mirrorTopicName) {
        return find("clusterId = ?1 and mirrorTopicName = ?2", clusterId, mirrorTopicName).firstResultOptional();
    }
}
