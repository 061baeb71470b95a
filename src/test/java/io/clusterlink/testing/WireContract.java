package io.clusterlink.testing;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.report.LevelResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.restassured.OpenApiValidationFilter;

import io.restassured.filter.Filter;

/**
 * REST Assured filters that check a call against the committed OpenAPI document
 * ({@code openapi/openapi.yaml}, swagger-request-validator) and fail it with the validator's report:
 * {@code given().filter(WireContract.requestsAndAnswers())}. Send the URL as the document writes it
 * ({@code urlEncodingEnabled(false)} for {@code mirrors:promote}).
 */
public final class WireContract {

    private static final String DOCUMENT = "openapi/openapi.yaml";
    private static final Filter REQUESTS_AND_ANSWERS = new OpenApiValidationFilter(
            OpenApiInteractionValidator.createForSpecificationUrl(DOCUMENT).build());
    private static final Filter ANSWERS = new OpenApiValidationFilter(
            OpenApiInteractionValidator.createForSpecificationUrl(DOCUMENT)
                    .withLevelResolver(LevelResolver.create()
                            .withLevel("validation.request", ValidationReport.Level.IGNORE).build())
                    .build());

    private WireContract() {
    }

    /**
     * The operation exists, its parameters and body have the documented types, and the answer's status
     * is one the operation documents, with a body of its schema (names, types, required and nullable
     * fields, enums).
     */
    public static Filter requestsAndAnswers() {
        return REQUESTS_AND_ANSWERS;
    }

    /** Only the answer, for a request that breaks the contract on purpose (bad input, no credentials). */
    public static Filter answers() {
        return ANSWERS;
    }
}
