package io.clusterlink.store;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.Transactional;

import org.hibernate.exception.ConstraintViolationException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.clusterlink.link.ClusterLinkException;
import io.clusterlink.link.Link;
import io.clusterlink.link.LinkConfigs;
import io.clusterlink.link.LinkError;
import io.clusterlink.link.LinkLifecycle;
import io.clusterlink.link.LinkState;
import io.clusterlink.link.Mirror;
import io.clusterlink.link.MirrorAction;
import io.clusterlink.link.MirrorLifecycle;
import io.clusterlink.link.MirrorStatus;
import io.clusterlink.link.MirrorTopicError;
import io.clusterlink.link.StopMode;
import io.clusterlink.link.TransitionError;

/**
 * Transaction boundary for links and mirrors. Sensitive config values are encrypted here before
 * they reach the database and decrypted on the way out; every state change is audited.
 */
@ApplicationScoped
@TranslatesConflicts
public class LinkStore {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> CONFIG_MAP = new TypeReference<>() {
    };
    private static final TypeReference<List<Long>> OFFSETS = new TypeReference<>() {
    };

    private final LinkRepository links;
    private final MirrorRepository mirrors;
    private final StateTransitionRepository transitions;
    private final SecretCipher cipher;
    private final MirrorPartitions partitionRows;
    private final Clock clock = Clock.systemUTC();

    LinkStore(LinkRepository links, MirrorRepository mirrors, StateTransitionRepository transitions,
            SecretCipher cipher, MirrorPartitions partitionRows) {
        this.links = links;
        this.mirrors = mirrors;
        this.transitions = transitions;
        this.cipher = cipher;
        this.partitionRows = partitionRows;
    }

    @Transactional
    public Optional<Link> findLink(String clusterId, String name) {
        return links.findByName(clusterId, name).map(this::toLink);
    }

    @Transactional
    public Optional<Link> findLink(long id) {
        return links.findByIdOptional(id).map(this::toLink);
    }

    @Transactional
    public List<Link> listLinks(String clusterId) {
        return links.listByCluster(clusterId).stream().map(this::toLink).toList();
    }

    @Transactional
    public List<Link> listAllLinks() {
        return links.listAll().stream().map(this::toLink).toList();
    }

    /** Inserts a new link; a link of the same name on the cluster is a conflict. */
    @Transactional
    public Link insertLink(String clusterId, String name, String clusterLinkId, String sourceClusterId,
            Map<String, String> configs) {
        if (links.findByName(clusterId, name).isPresent()) {
            throw new ClusterLinkException.Conflict("Cluster link '" + name + "' already exists");
        }
        LinkEntity e = new LinkEntity();
        e.clusterId = clusterId;
        e.linkName = name;
        e.clusterLinkId = clusterLinkId;
        e.sourceClusterId = sourceClusterId;
        e.configs = writeConfigs(configs);
        LinkState state = LinkLifecycle.initial(LinkConfigs.settings(configs));
        e.linkState = state.name();
        e.linkError = LinkError.NO_ERROR.name();
        e.createdAt = clock.instant();
        e.updatedAt = e.createdAt;
        try {
            links.persistAndFlush(e);
        } catch (PersistenceException ex) {
            throw conflictOr(ex, "Cluster link '" + name + "' already exists");
        }
        audit(clusterId, name, null, null, state.name(), "created");
        return toLink(e);
    }

    /** Replaces a link's configs; the link state follows {@code cluster.link.paused}. */
    @Transactional
    public Link updateLinkConfigs(long linkId, Map<String, String> configs) {
        LinkEntity e = links.findByIdOptional(linkId)
                .orElseThrow(() -> new ClusterLinkException.NotFound("Cluster link not found"));
        e.configs = writeConfigs(configs);
        e.updatedAt = clock.instant();
        LinkState current = LinkState.valueOf(e.linkState);
        LinkLifecycle.afterConfigChange(current, LinkConfigs.settings(configs)).ifPresent(wanted -> {
            e.linkState = wanted.name();
            audit(e.clusterId, e.linkName, null, current.name(), wanted.name(), "cluster.link.paused");
        });
        return toLink(e);
    }

    /**
     * Records the outcome of a source availability check: {@code ACTIVE} becomes
     * {@code UNAVAILABLE} with the error, and back when the source answers again. A paused or
     * failed link keeps its state. Returns the link when its state changed.
     */
    @Transactional
    public Optional<Link> setAvailability(long linkId, boolean available, LinkError error, String message) {
        LinkEntity e = links.findByIdOptional(linkId).orElse(null);
        if (e == null) {
            return Optional.empty();
        }
        LinkState current = LinkState.valueOf(e.linkState);
        Optional<LinkState> next = LinkLifecycle.afterAvailabilityCheck(current, available);
        if (next.isEmpty()) {
            return Optional.empty();
        }
        LinkState wanted = next.get();
        e.linkState = wanted.name();
        e.linkError = (available ? LinkError.NO_ERROR : error).name();
        e.linkErrorMessage = available ? null : message;
        e.updatedAt = clock.instant();
        audit(e.clusterId, e.linkName, null, current.name(), wanted.name(),
                available ? "source cluster reachable again" : message);
        return Optional.of(toLink(e));
    }

    /**
     * Grows a mirror to {@code partitions} partitions after the source grew; the new partitions
     * start at offset 0 like the source's new partitions. Only a mirror that is mirroring grows:
     * one that is stopping keeps the partitions its stop offsets were taken for.
     */
    @Transactional
    public Optional<Mirror> growMirror(long mirrorId, int partitions) {
        MirrorEntity e = mirrors.findByIdOptional(mirrorId).orElse(null);
        if (e == null || e.numPartitions >= partitions
                || !MirrorLifecycle.grows(MirrorStatus.valueOf(e.mirrorStatus))) {
            return Optional.empty();
        }
        List<Long> starts = new ArrayList<>(readOffsets(e.startOffsets));
        while (starts.size() < partitions) {
            starts.add(0L);
        }
        int before = e.numPartitions;
        e.numPartitions = partitions;
        e.startOffsets = writeOffsets(starts);
        partitionRows.added(e.id, before, partitions);
        String linkName = linkName(e.linkId);
        audit(e.clusterId, linkName, e.mirrorTopicName, e.mirrorStatus, e.mirrorStatus,
                "source partitions increased from " + before + " to " + partitions);
        return Optional.of(toMirror(e, linkName));
    }

    @Transactional
    public void deleteLink(long linkId) {
        links.findByIdOptional(linkId).ifPresent(e -> {
            mirrors.delete("linkId", linkId);
            links.delete(e);
            audit(e.clusterId, e.linkName, null, e.linkState, "DELETED", "deleted");
        });
    }

    @Transactional
    public Mirror insertMirror(Link link, String mirrorTopic, String sourceTopic, String sourceTopicId,
            int partitions, List<Long> startOffsets, Map<String, String> sourceConfigs) {
        return insert(link, mirrorTopic, sourceTopic, sourceTopicId, partitions, startOffsets, sourceConfigs,
                MirrorStatus.PENDING_MIRROR, "created");
    }

    /**
     * Records an existing topic as a mirror of {@code link} in {@code status} (a reversed mirror: its
     * topic holds its source's records already), {@code creating} until its configs and read-only
     * ACL are set, like a new one.
     */
    @Transactional
    public Mirror insertReversedMirror(Link link, String mirrorTopic, String sourceTopic, String sourceTopicId,
            int partitions, List<Long> startOffsets, Map<String, String> sourceConfigs, MirrorStatus status,
            String reason) {
        return insert(link, mirrorTopic, sourceTopic, sourceTopicId, partitions, startOffsets, sourceConfigs, status,
                reason);
    }

    private Mirror insert(Link link, String mirrorTopic, String sourceTopic, String sourceTopicId, int partitions,
            List<Long> startOffsets, Map<String, String> sourceConfigs, MirrorStatus status, String reason) {
        if (mirrors.findByName(link.clusterId(), mirrorTopic).isPresent()) {
            throw new ClusterLinkException.Conflict("Topic '" + mirrorTopic + "' already exists");
        }
        MirrorEntity e = new MirrorEntity();
        e.linkId = link.id();
        e.clusterId = link.clusterId();
        e.mirrorTopicName = mirrorTopic;
        e.sourceTopicName = sourceTopic;
        e.sourceTopicId = sourceTopicId;
        e.numPartitions = partitions;
        e.mirrorStatus = status.name();
        e.stopMode = StopMode.NONE.name();
        e.mirrorTopicError = MirrorTopicError.NO_ERROR.name();
        e.stateTimeMs = clock.millis();
        e.startOffsets = writeOffsets(startOffsets);
        e.sourceConfigs = write(new TreeMap<>(sourceConfigs));
        e.creating = true;
        e.createdAt = clock.instant();
        try {
            mirrors.persistAndFlush(e);
        } catch (PersistenceException ex) {
            throw conflictOr(ex, "Topic '" + mirrorTopic + "' already exists");
        }
        partitionRows.added(e.id, 0, partitions);
        audit(link.clusterId(), link.name(), mirrorTopic, null, e.mirrorStatus, reason);
        return toMirror(e, link.name());
    }

    @Transactional
    public List<Mirror> listMirrors(Link link) {
        return mirrors.listByLink(link.id()).stream().map(m -> toMirror(m, link.name())).toList();
    }

    @Transactional
    public Optional<Mirror> findMirror(long id) {
        return mirrors.findByIdOptional(id).map(m -> toMirror(m, linkName(m.linkId)));
    }

    @Transactional
    public Optional<Mirror> findMirror(String clusterId, String mirrorTopic) {
        return mirrors.findByName(clusterId, mirrorTopic).map(m -> toMirror(m, linkName(m.linkId)));
    }

    @Transactional
    public List<Mirror> listMirrorsOfCluster(String clusterId) {
        Map<Long, String> names = new TreeMap<>();
        List<Mirror> result = new ArrayList<>();
        for (MirrorEntity m : mirrors.listByCluster(clusterId)) {
            result.add(toMirror(m, names.computeIfAbsent(m.linkId, this::linkName)));
        }
        return result;
    }

    @Transactional
    public List<Mirror> listAllMirrors() {
        Map<Long, String> names = new TreeMap<>();
        List<Mirror> result = new ArrayList<>();
        for (MirrorEntity m : mirrors.listAll()) {
            result.add(toMirror(m, names.computeIfAbsent(m.linkId, this::linkName)));
        }
        return result;
    }

    /**
     * Turns a promote in progress into a failover: the mirror stops where it is. Returns the
     * mirror, or empty when it is not stopping.
     */
    @Transactional
    public Optional<Mirror> failOverNow(long mirrorId, String reason) {
        return failingOverNow(mirrorId, reason);
    }

    private Optional<Mirror> failingOverNow(long mirrorId, String reason) {
        MirrorEntity e = mirrors.findByIdOptional(mirrorId).orElse(null);
        if (e == null || !MirrorStatus.PENDING_STOPPED.name().equals(e.mirrorStatus)) {
            return Optional.empty();
        }
        if (!StopMode.FAILOVER.name().equals(e.stopMode)) {
            e.stopMode = StopMode.FAILOVER.name();
            audit(e.clusterId, linkName(e.linkId), e.mirrorTopicName, e.mirrorStatus, e.mirrorStatus, reason);
        }
        return Optional.of(toMirror(e, linkName(e.linkId)));
    }

    /**
     * Starts the failover of mirrors in one transaction: each one that mirrors (or failed) becomes
     * {@code PENDING_STOPPED} by a failover, a promote in progress becomes a failover
     * ({@link #failOverNow}). Returns the mirrors now failing over, by id; one whose state allowed
     * neither is left out. A mirror another transaction changed meanwhile fails the whole (a
     * conflict), and nothing is changed.
     */
    @Transactional
    public Map<Long, Mirror> startFailovers(Collection<Long> mirrorIds, String reason) {
        Map<Long, Mirror> moved = new LinkedHashMap<>();
        for (long id : mirrorIds) {
            moveMirror(id, MirrorLifecycle.move(MirrorAction.FAILOVER), null, reason, null, StopMode.FAILOVER)
                    .or(() -> failingOverNow(id, reason)).ifPresent(m -> moved.put(id, m));
        }
        return moved;
    }

    /**
     * Finishes the stops of mirrors in one transaction: each {@code PENDING_STOPPED} one becomes
     * {@code STOPPED} with its stop offsets. Returns the stopped mirrors, by id; one that was not
     * stopping is left out. A mirror another transaction changed meanwhile fails the whole (a
     * conflict), and nothing is changed.
     */
    @Transactional
    public Map<Long, Mirror> finishStops(Map<Long, List<Long>> stopOffsets, String reason) {
        Map<Long, Mirror> stopped = new LinkedHashMap<>();
        stopOffsets.forEach((id, offsets) -> moveMirror(id, MirrorLifecycle.STOP_FINISHED, null, reason, offsets, null)
                .ifPresent(m -> stopped.put(id, m)));
        return stopped;
    }

    /**
     * One partition of a mirror is aligned to its start offset; the last one makes an aligning
     * mirror ACTIVE. The mirror's row is locked meanwhile, so partitions reported by different
     * instances at once cannot both miss being the last.
     */
    @Transactional
    public Optional<Mirror> partitionAligned(long mirrorId, int partition) {
        MirrorEntity e = mirrors.findByIdOptional(mirrorId, LockModeType.PESSIMISTIC_WRITE).orElse(null);
        if (e == null || partitionRows.mark(mirrorId, partition, e.numPartitions, "aligned") > 0
                || !MirrorLifecycle.ALIGNED.from().contains(MirrorStatus.valueOf(e.mirrorStatus))) {
            return Optional.empty();
        }
        return transition(mirrorId, MirrorLifecycle.ALIGNED, null, "offsets aligned", null, null);
    }

    /**
     * One partition of a promoted mirror reached its stop offset; true when every partition has
     * (under the mirror's row lock, like {@link #partitionAligned}).
     */
    @Transactional
    public boolean partitionReachedStop(long mirrorId, int partition) {
        MirrorEntity e = mirrors.findByIdOptional(mirrorId, LockModeType.PESSIMISTIC_WRITE).orElse(null);
        return e != null && partitionRows.mark(mirrorId, partition, e.numPartitions, "reached_stop") == 0;
    }

    /**
     * Makes a state move if the mirror is in one of its {@code from} states: records the error
     * (none unless failing), the stop offsets and stop mode when given (null keeps them), and
     * audits it. Returns the updated mirror, or empty when its state did not allow the move
     * (someone else moved it first).
     */
    @Transactional
    public Optional<Mirror> transition(long mirrorId, MirrorLifecycle.Move move, MirrorTopicError error,
            String message, List<Long> stopOffsets, StopMode stopMode) {
        return moveMirror(mirrorId, move, error, message, stopOffsets, stopMode);
    }

    private Optional<Mirror> moveMirror(long mirrorId, MirrorLifecycle.Move move, MirrorTopicError error,
            String message, List<Long> stopOffsets, StopMode stopMode) {
        Set<MirrorStatus> from = move.from();
        MirrorStatus to = move.to();
        MirrorEntity e = mirrors.findByIdOptional(mirrorId).orElse(null);
        if (e == null) {
            return Optional.empty();
        }
        MirrorStatus current = MirrorStatus.valueOf(e.mirrorStatus);
        if (!from.contains(current) || !MirrorLifecycle.canMove(current, to)) {
            return Optional.empty();
        }
        e.mirrorStatus = to.name();
        e.mirrorTopicError = (error == null ? MirrorTopicError.NO_ERROR : error).name();
        e.statusMessage = error == null ? null : message;
        e.stateTimeMs = clock.millis();
        if (stopOffsets != null) {
            e.stopOffsets = writeOffsets(stopOffsets);
        }
        if (stopMode != null) {
            e.stopMode = stopMode.name();
        }
        if (stopMode == StopMode.PROMOTE) {
            partitionRows.clearStops(mirrorId);
        }
        String linkName = linkName(e.linkId);
        audit(e.clusterId, linkName, e.mirrorTopicName, current.name(), to.name(), message,
                error == null ? null : error.name());
        return Optional.of(toMirror(e, linkName));
    }

    /** Replaces the error of a FAILED mirror that failed with {@code was}; false when it did not. */
    @Transactional
    public boolean refineFailure(long mirrorId, MirrorTopicError was, MirrorTopicError error, String message) {
        MirrorEntity e = mirrors.findByIdOptional(mirrorId).orElse(null);
        if (e == null || !MirrorStatus.FAILED.name().equals(e.mirrorStatus) || !was.name().equals(e.mirrorTopicError)
                || was == error) {
            return false;
        }
        e.mirrorTopicError = error.name();
        e.statusMessage = message;
        audit(e.clusterId, linkName(e.linkId), e.mirrorTopicName, e.mirrorStatus, e.mirrorStatus, message,
                error.name());
        return true;
    }

    /** The mirror's topic and read-only ACL exist: it can be copied. */
    @Transactional
    public void created(long mirrorId) {
        mirrors.findByIdOptional(mirrorId).ifPresent(e -> e.creating = false);
    }

    /** Forgets a mirror whose creation did not complete (its topic could not be made, or is not its own). */
    @Transactional
    public void forgetCreation(long mirrorId, String reason) {
        mirrors.findByIdOptional(mirrorId).filter(e -> e.creating).ifPresent(e -> {
            mirrors.delete(e);
            audit(e.clusterId, linkName(e.linkId), e.mirrorTopicName, e.mirrorStatus, "DELETED", reason);
        });
    }

    /**
     * Deletes a mirror's row (its topic is the caller's): the mirror is gone from the API and no
     * instance copies it any more.
     */
    @Transactional
    public boolean deleteMirror(long mirrorId, String reason) {
        MirrorEntity e = mirrors.findByIdOptional(mirrorId).orElse(null);
        if (e == null) {
            return false;
        }
        mirrors.delete(e);
        audit(e.clusterId, linkName(e.linkId), e.mirrorTopicName, e.mirrorStatus, "DELETED", reason);
        return true;
    }

    /**
     * The transitions of this mirror (since it was created: a mirror of the same name before it
     * does not count) that recorded an error, oldest first.
     */
    @Transactional
    public List<TransitionError> transitionErrors(long mirrorId) {
        MirrorEntity e = mirrors.findByIdOptional(mirrorId).orElse(null);
        if (e == null) {
            return List.of();
        }
        Instant since = e.createdAt == null ? Instant.EPOCH : e.createdAt;
        return transitions.errorsOf(e.clusterId, e.mirrorTopicName, since).stream()
                .map(t -> new TransitionError(t.errorCode, t.reason)).toList();
    }

    /** Mirrors still being created that were recorded before {@code before} (their creation may have been cut short). */
    @Transactional
    public List<Mirror> creationsBefore(Instant before) {
        List<Mirror> result = new ArrayList<>();
        for (MirrorEntity e : mirrors.list("creating = true and createdAt < ?1", before)) {
            result.add(toMirror(e, linkName(e.linkId)));
        }
        return result;
    }

    /** Keeps the source topic's values of the configs the mirror owns while mirroring, when they changed. */
    @Transactional
    public void rememberSourceConfigs(long mirrorId, Map<String, String> configs) {
        mirrors.findByIdOptional(mirrorId).ifPresent(e -> {
            String json = write(new TreeMap<>(configs));
            if (!json.equals(e.sourceConfigs)) {
                e.sourceConfigs = json;
            }
        });
    }

    /** The source topic's values of the configs the mirror owns while mirroring; empty when not known. */
    @Transactional
    public Optional<Map<String, String>> sourceConfigs(long mirrorId) {
        return mirrors.findByIdOptional(mirrorId).filter(e -> e.sourceConfigs != null)
                .map(e -> read(e.sourceConfigs, CONFIG_MAP));
    }

    /** Records a message on a mirror without changing its state (e.g. records skipped by retention). */
    @Transactional
    public void note(long mirrorId, String message) {
        mirrors.findByIdOptional(mirrorId).filter(e -> !MirrorStatus.FAILED.name().equals(e.mirrorStatus))
                .ifPresent(e -> e.statusMessage = message);
    }

    private String linkName(long linkId) {
        return links.findByIdOptional(linkId).map(l -> l.linkName).orElse("");
    }

    private void audit(String clusterId, String linkName, String mirrorTopic, String from, String to, String reason) {
        audit(clusterId, linkName, mirrorTopic, from, to, reason, null);
    }

    private void audit(String clusterId, String linkName, String mirrorTopic, String from, String to, String reason,
            String errorCode) {
        StateTransitionEntity t = new StateTransitionEntity();
        t.errorCode = errorCode;
        t.clusterId = clusterId;
        t.linkName = linkName;
        t.mirrorTopicName = mirrorTopic;
        t.fromState = from;
        t.toState = to;
        t.reason = reason;
        t.at = Instant.now(clock);
        transitions.persist(t);
    }

    private Link toLink(LinkEntity e) {
        return new Link(e.id, e.clusterId, e.linkName, e.clusterLinkId, e.sourceClusterId, readConfigs(e.configs),
                LinkState.valueOf(e.linkState), LinkError.valueOf(e.linkError), e.linkErrorMessage);
    }

    private Mirror toMirror(MirrorEntity e, String linkName) {
        return new Mirror(e.id, e.linkId, linkName, e.clusterId, e.mirrorTopicName, e.sourceTopicName,
                e.sourceTopicId, e.numPartitions, MirrorStatus.valueOf(e.mirrorStatus),
                MirrorTopicError.valueOf(e.mirrorTopicError), e.statusMessage, e.stateTimeMs,
                readOffsets(e.startOffsets), e.stopOffsets == null ? null : readOffsets(e.stopOffsets),
                StopMode.valueOf(e.stopMode), e.creating);
    }

    private String writeConfigs(Map<String, String> configs) {
        Map<String, String> stored = new TreeMap<>();
        configs.forEach((k, v) -> stored.put(k, LinkConfigs.isSensitive(k) ? cipher.encrypt(v) : v));
        return write(stored);
    }

    private Map<String, String> readConfigs(String json) {
        Map<String, String> stored = read(json, CONFIG_MAP);
        Map<String, String> plain = new TreeMap<>();
        stored.forEach((k, v) -> plain.put(k, LinkConfigs.isSensitive(k) ? cipher.decrypt(v) : v));
        return plain;
    }

    private static String writeOffsets(List<Long> offsets) {
        return write(offsets);
    }

    private static List<Long> readOffsets(String json) {
        return read(json, OFFSETS);
    }

    private static String write(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot serialise stored value", e);
        }
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored value is not valid JSON", e);
        }
    }

    private static RuntimeException conflictOr(PersistenceException ex, String message) {
        Throwable c = ex;
        while (c != null) {
            if (c instanceof ConstraintViolationException) {
                return new ClusterLinkException.Conflict(message);
            }
            c = c.getCause();
        }
        return ex;
    }
}
