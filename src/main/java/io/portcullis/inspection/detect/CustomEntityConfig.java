package io.portcullis.inspection.detect;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Custom entities of an operator, under {@code portcullis.inspection.custom}: regular
 * expressions and word lists, each with an entity type and a confidence. They come from this
 * configuration and from an OPA data document, which can change without a restart.
 */
@ConfigMapping(prefix = "portcullis.inspection.custom")
public interface CustomEntityConfig {

    /**
     * Regular expressions by name, such as
     * {@code portcullis.inspection.custom.patterns.customer-id.regex=CUST-[0-9]{6}}. Default none.
     */
    Map<String, PatternEntry> patterns();

    /**
     * Word lists by name, such as
     * {@code portcullis.inspection.custom.dictionaries.code-names.words=Bluebird,Nightjar}.
     * Default none.
     */
    Map<String, DictionaryEntry> dictionaries();

    /**
     * Path below {@code /v1/data/} of the OPA document with more custom entities, read from the
     * OPA of {@code portcullis.policy.url}. Default {@code portcullis/config/custom_entities}.
     * Set it to {@code none} to read no document.
     */
    @WithName("opa-path")
    @WithDefault("portcullis/config/custom_entities")
    String opaPath();

    /** Time between two reads of the OPA document. Default 30 s. */
    @WithName("refresh-interval")
    @WithDefault("30s")
    Duration refreshInterval();

    /** Time allowed for one read of the OPA document. Default 2 s. */
    @WithName("fetch-timeout")
    @WithDefault("2s")
    Duration fetchTimeout();

    /** A regular expression in {@link java.util.regex.Pattern} syntax. */
    interface PatternEntry {

        /** Entity type of the matches: upper-case letters, digits and underscores, such as {@code CUSTOMER_ID}. */
        String type();

        /** The expression. It must not match the empty string. */
        String regex();

        /** Confidence of a match, from 0 to 1. Default 0.9. */
        @WithDefault("0.9")
        double confidence();
    }

    /** A list of words or phrases, matched as whole words. */
    interface DictionaryEntry {

        /** Entity type of the matches, such as {@code PROJECT_CODE_NAME}. */
        String type();

        /** The words or phrases, at least one, none blank. */
        List<String> words();

        /** Confidence of a match, from 0 to 1. Default 0.9. */
        @WithDefault("0.9")
        double confidence();

        /** Whether letter case must match. Default false. */
        @WithName("case-sensitive")
        @WithDefault("false")
        boolean caseSensitive();
    }

    /** Returns the OPA path, or empty when reading from OPA is switched off. */
    default Optional<String> opaDocumentPath() {
        return "none".equals(opaPath()) ? Optional.empty() : Optional.of(opaPath());
    }
}
