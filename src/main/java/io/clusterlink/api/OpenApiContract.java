package io.clusterlink.api;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.parameters.Parameter;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;

import io.quarkus.smallrye.openapi.OpenApiFilter;

/**
 * Completes the OpenAPI document generated from the resources so that it says what goes over the wire,
 * for every operation alike, without each resource method repeating it:
 * <ul>
 * <li>v3 query parameters, which the resources take as strings to parse them with {@link Params} (a bad
 * value is a v3 400), get their v3 type, default and requiredness from one table by name;</li>
 * <li>a method that answers a bare {@code Response} without saying its status answers 204 No Content (v3
 * creates and config changes); one that answers otherwise says so with {@code @APIResponse} (a link's
 * DELETE: 200 without a body);</li>
 * <li>every operation lists the v3 error responses the service can answer it with (see
 * {@link ErrorMapper}, {@code HttpLevelErrors} and {@code security.AuthFailureResponses}): the
 * responses of {@code META-INF/openapi.yaml}, all with the {@code Error} body.</li>
 * </ul>
 */
@OpenApiFilter(OpenApiFilter.RunStage.BUILD)
public class OpenApiContract implements OASFilter {

    /** The v3 query parameters by name: Confluent's types and defaults. */
    private static final Map<String, Supplier<Schema>> QUERY_PARAMETERS = Map.of(
            "validate_only", () -> bool(false),
            "validate_link", () -> bool(true),
            "include_tasks", () -> bool(false),
            "force", () -> bool(false),
            "include_state_transition_errors", () -> bool(false),
            "include_partition_level_truncation_data", () -> bool(false),
            "mirror_status", () -> OASFactory.createSchema().ref("MirrorTopicStatus"));

    /** The description the generator gives a response that the method did not describe with {@code @APIResponse}. */
    private static final String GENERATED_DESCRIPTION = "OK";

    /** Query parameters an operation cannot do without (400 when missing). */
    private static final List<String> REQUIRED_QUERY_PARAMETERS = List.of("link_name");

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        if (openAPI.getPaths() == null || openAPI.getPaths().getPathItems() == null) {
            return;
        }
        openAPI.getPaths().getPathItems().forEach((path, item) -> item.getOperations()
                .forEach((method, operation) -> complete(path, method, operation)));
    }

    private static void complete(String path, PathItem.HttpMethod method, Operation operation) {
        List<Parameter> parameters = operation.getParameters() == null ? List.of() : operation.getParameters();
        for (Parameter p : parameters) {
            if (p.getIn() == Parameter.In.QUERY) {
                Supplier<Schema> schema = QUERY_PARAMETERS.get(p.getName());
                if (schema != null) {
                    p.setSchema(schema.get());
                }
                if (REQUIRED_QUERY_PARAMETERS.contains(p.getName())) {
                    p.setRequired(true);
                }
            }
        }
        APIResponses responses = operation.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            operation.setResponses(responses);
        }
        APIResponse ok = responses.getAPIResponse("200");
        if (ok != null && withoutBody(ok)) {
            if (GENERATED_DESCRIPTION.equals(ok.getDescription())) {
                responses.removeAPIResponse("200");
                responses.addAPIResponse("204", OASFactory.createAPIResponse().description("No Content"));
            } else {
                ok.setContent(null);
            }
        }
        boolean hasPathParameters = parameters.stream().anyMatch(p -> p.getIn() == Parameter.In.PATH);
        boolean hasInput = !parameters.isEmpty() || operation.getRequestBody() != null;
        boolean changes = method != PathItem.HttpMethod.GET && method != PathItem.HttpMethod.HEAD;
        boolean usesACluster = path.startsWith("/kafka/v3/clusters/{") || path.startsWith("/links")
                || path.startsWith("/mirrors");
        error(responses, "400", "BadRequest", hasInput);
        error(responses, "401", "Unauthorized", true);
        error(responses, "403", "Forbidden", true);
        error(responses, "404", "NotFound", hasPathParameters || usesACluster);
        error(responses, "409", "Conflict", changes);
        error(responses, "413", "PayloadTooLarge", operation.getRequestBody() != null);
        error(responses, "429", "TooManyRequests", true);
        error(responses, "500", "InternalServerError", true);
        error(responses, "503", "ServiceUnavailable", usesACluster);
        responses.setAPIResponses(new TreeMap<>(responses.getAPIResponses()));
    }

    /** A {@code Response} without a declared entity: the generator gives it an empty schema. */
    private static boolean withoutBody(APIResponse response) {
        if (response.getContent() == null || response.getContent().getMediaTypes() == null) {
            return false;
        }
        return response.getContent().getMediaTypes().values().stream().allMatch(m -> m.getSchema() == null
                || (m.getSchema().getRef() == null && m.getSchema().getType() == null
                        && m.getSchema().getProperties() == null && m.getSchema().getItems() == null));
    }

    private static void error(APIResponses responses, String status, String response, boolean applies) {
        if (applies) {
            responses.addAPIResponse(status, OASFactory.createAPIResponse().ref(response));
        }
    }

    private static Schema bool(boolean defaultValue) {
        return OASFactory.createSchema().addType(Schema.SchemaType.BOOLEAN).defaultValue(defaultValue);
    }
}
