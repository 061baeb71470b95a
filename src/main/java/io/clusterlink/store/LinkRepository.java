package io.clusterlink.store;

import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.orm.panache.PanacheRepository;

@ApplicationScoped
public class LinkRepository implements PanacheRepository<LinkEntity> {

    public Optional<LinkEntity> findByName(String clusterId, String linkName) {
        return find("clusterId = ?1 and linkName = ?2", clusterId, linkName).firstResultOptional();
    }

    public List<LinkEntity> listByCluster(String clusterId) {
        return list("clusterId = ?1 order by linkName", clusterId);
    }
}
