package io.clusterlink.link;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Topic and consumer group filters, as in {@code auto.create.mirror.topics.filters}
 * ({@code {"topicFilters":[...]}}) and {@code consumer.offset.group.filters}
 * ({@code {"groupFilters":[...]}}): items of {@code name}, {@code patternType} (LITERAL or
 * PREFIXED; {@code "*"} LITERAL matches every name) and {@code filterType} (INCLUDE or EXCLUDE).
 * A name is selected when an INCLUDE item matches it and no EXCLUDE item does.
 */
public final class NameFilters {

    public static final String TOPIC_FILTERS = "topicFilters";
    public static final String GROUP_FILTERS = "groupFilters";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ITEM_FIELDS = Set.of("name", "patternType", "filterType");

    public enum PatternType {
        LITERAL,
        PREFIXED
    }

    public enum FilterType {
        INCLUDE,
        EXCLUDE
    }

    /** One filter item. */
    public record Item(String name, PatternType patternType, FilterType filterType) {

        boolean matches(String candidate) {
            return switch (patternType) {
                case LITERAL -> name.equals("*") || name.equals(candidate);
                case PREFIXED -> candidate.startsWith(name);
            };
        }
    }

    private final List<Item> items;

    private NameFilters(List<Item> items) {
        this.items = List.copyOf(items);
    }

    public List<Item> items() {
        return items;
    }

    /** True when an INCLUDE item matches and no EXCLUDE item does. */
    public boolean matches(String name) {
        boolean included = false;
        for (Item item : items) {
            if (item.matches(name)) {
                if (item.filterType() == FilterType.EXCLUDE) {
                    return false;
                }
                included = true;
            }
        }
        return included;
    }

    /**
     * Parses the JSON of one filter config; {@code field} is {@value #TOPIC_FILTERS} or
     * {@value #GROUP_FILTERS}. Throws IllegalArgumentException naming the problem.
     */
    public static NameFilters parse(String json, String field) {
        JsonNode root = Filters.readObject(json, field);
        JsonNode array = root.get(field);
        List<Item> items = new ArrayList<>();
        int index = 0;
        for (JsonNode node : array) {
            String where = field + "[" + index++ + "]";
            if (!node.isObject()) {
                throw new IllegalArgumentException(where + " must be an object");
            }
            Filters.rejectUnknownFields(node, ITEM_FIELDS, where);
            String name = Filters.requiredText(node, "name", where);
            PatternType patternType = Filters.enumValue(PatternType.class,
                    Filters.requiredText(node, "patternType", where),
                    where + ".patternType");
            FilterType filterType = Filters.enumValue(FilterType.class, Filters.requiredText(node, "filterType", where),
                    where + ".filterType");
            if (name.equals("*") && patternType != PatternType.LITERAL) {
                throw new IllegalArgumentException(where + ": the wildcard name '*' needs patternType LITERAL");
            }
            if (!name.equals("*")) {
                checkName(field, name, where + ".name");
            }
            items.add(new Item(name, patternType, filterType));
        }
        return new NameFilters(items);
    }

    /** Topic filter names follow the topic name rules; group names are only limited in length and characters. */
    private static void checkName(String field, String name, String where) {
        if (field.equals(GROUP_FILTERS)) {
            TopicNames.checkGroup(where, name);
        } else if (name.length() > TopicNames.MAX_TOPIC_LENGTH || !TopicNames.LEGAL.matcher(name).matches()) {
            throw new IllegalArgumentException(where + " '" + TopicNames.printable(name) + "' is illegal: a topic "
                    + "name or prefix uses 1 to 249 of [a-zA-Z0-9._-]");
        }
    }

    /** Helpers shared by the filter parsers. */
    static final class Filters {

        private Filters() {
        }

        static JsonNode readObject(String json, String field) {
            JsonNode root;
            try {
                root = JSON.readTree(json);
            } catch (Exception e) {
                throw new IllegalArgumentException("is not valid JSON");
            }
            if (root == null || !root.isObject()) {
                throw new IllegalArgumentException("must be a JSON object with a '" + field + "' array");
            }
            rejectUnknownFields(root, Set.of(field), "the filter object");
            JsonNode array = root.get(field);
            if (array == null || !array.isArray()) {
                throw new IllegalArgumentException("must be a JSON object with a '" + field + "' array");
            }
            return root;
        }

        static void rejectUnknownFields(JsonNode node, Set<String> allowed, String where) {
            for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                String name = it.next();
                if (!allowed.contains(name)) {
                    throw new IllegalArgumentException(where + " has an unknown field '" + TopicNames.printable(name)
                            + "'");
                }
            }
        }

        static String requiredText(JsonNode node, String field, String where) {
            JsonNode value = node.get(field);
            if (value == null || value.isNull()) {
                throw new IllegalArgumentException(where + "." + field + " is required");
            }
            if (!value.isTextual() || value.asText().isEmpty()) {
                throw new IllegalArgumentException(where + "." + field + " must be a non-empty string");
            }
            return value.asText();
        }

        static <E extends Enum<E>> E enumValue(Class<E> type, String value, String where) {
            try {
                return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + " '" + TopicNames.printable(value) + "' is not one of "
                        + java.util.Arrays.toString(type.getEnumConstants()));
            }
        }
    }
}
