package io.clusterlink.link;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.apache.kafka.common.acl.AccessControlEntryFilter;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePatternFilter;
import org.apache.kafka.common.resource.ResourceType;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The ACL filters of {@code acl.filters}:
 * {@code {"aclFilters":[{"resourceFilter":{resourceType, name?, patternType},
 * "accessFilter":{principal?, host?, operation, permissionType}}]}}. Kafka names are matched
 * without regard to case or underscores ({@code describeConfigs} is {@code DESCRIBE_CONFIGS});
 * {@code any} matches everything; a missing name, principal or host matches any.
 */
public final class AclFilters {

    public static final String FIELD = "aclFilters";
    private static final Set<String> ITEM_FIELDS = Set.of("resourceFilter", "accessFilter");
    private static final Set<String> RESOURCE_FIELDS = Set.of("resourceType", "name", "patternType");
    private static final Set<String> ACCESS_FIELDS = Set.of("principal", "host", "operation", "permissionType");

    private final List<AclBindingFilter> filters;

    private AclFilters(List<AclBindingFilter> filters) {
        this.filters = List.copyOf(filters);
    }

    public List<AclBindingFilter> filters() {
        return filters;
    }

    /** True when any filter matches the binding. */
    public boolean matches(AclBinding binding) {
        return filters.stream().anyMatch(f -> f.matches(binding));
    }

    /** Parses {@code acl.filters}; throws IllegalArgumentException naming the problem. */
    public static AclFilters parse(String json) {
        JsonNode root = NameFilters.Filters.readObject(json, FIELD);
        JsonNode array = root.get(FIELD);
        if (array.isEmpty()) {
            throw new IllegalArgumentException("aclFilters field cannot be empty");
        }
        List<AclBindingFilter> filters = new ArrayList<>();
        int index = 0;
        for (JsonNode node : array) {
            String where = FIELD + "[" + index++ + "]";
            if (!node.isObject()) {
                throw new IllegalArgumentException(where + " must be an object");
            }
            NameFilters.Filters.rejectUnknownFields(node, ITEM_FIELDS, where);
            JsonNode resource = object(node, "resourceFilter", where);
            JsonNode access = object(node, "accessFilter", where);
            String resourceWhere = where + ".resourceFilter";
            String accessWhere = where + ".accessFilter";
            NameFilters.Filters.rejectUnknownFields(resource, RESOURCE_FIELDS, resourceWhere);
            NameFilters.Filters.rejectUnknownFields(access, ACCESS_FIELDS, accessWhere);
            ResourcePatternFilter pattern = new ResourcePatternFilter(
                    kafkaEnum(ResourceType.values(), ResourceType.UNKNOWN, resource, "resourceType", resourceWhere),
                    optionalText(resource, "name", resourceWhere),
                    kafkaEnum(PatternType.values(), PatternType.UNKNOWN, resource, "patternType", resourceWhere));
            AccessControlEntryFilter entry = new AccessControlEntryFilter(
                    optionalText(access, "principal", accessWhere),
                    optionalText(access, "host", accessWhere),
                    kafkaEnum(AclOperation.values(), AclOperation.UNKNOWN, access, "operation", accessWhere),
                    kafkaEnum(AclPermissionType.values(), AclPermissionType.UNKNOWN, access, "permissionType",
                            accessWhere));
            filters.add(new AclBindingFilter(pattern, entry));
        }
        return new AclFilters(filters);
    }

    private static JsonNode object(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || !value.isObject()) {
            throw new IllegalArgumentException(where + "." + field + " is required and must be an object");
        }
        return value;
    }

    private static String optionalText(JsonNode node, String field, String where) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(where + "." + field + " must be a string");
        }
        return value.asText();
    }

    private static <E extends Enum<E>> E kafkaEnum(E[] values, E unknown, JsonNode node, String field, String where) {
        String text = NameFilters.Filters.requiredText(node, field, where);
        String wanted = normalise(text);
        for (E value : values) {
            if (value != unknown && normalise(value.name()).equals(wanted)) {
                return value;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E value : values) {
            if (value != unknown) {
                allowed.add(value.name().toLowerCase(Locale.ROOT));
            }
        }
        throw new IllegalArgumentException(where + "." + field + " '" + TopicNames.printable(text)
                + "' is not one of " + allowed);
    }

    private static String normalise(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }
}
