package io.portcullis.inspection.detect;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** Detection of sensitive data in prompts, under {@code portcullis.inspection}. */
@ConfigMapping(prefix = "portcullis.inspection")
public interface DetectionConfig {

    /**
     * Region (ISO 3166-1 alpha-2, such as {@code US} or {@code DE}) whose numbering plan applies
     * to phone numbers written without a country code. Default {@code US}.
     */
    @WithName("phone-region")
    @WithDefault("US")
    String phoneRegion();

    /**
     * Minimum confidence, from 0 to 1, of a finding that counts. Default 0.5, which drops bare
     * nine-digit numbers that only look like US SSNs when no context word precedes them.
     */
    @WithName("min-confidence")
    @WithDefault("0.5")
    double minConfidence();

    /**
     * Maximum characters that a streamed answer holds back while they could still become part
     * of an entity, at least 1. Past it, the held text is masked instead of released. Only
     * entities without a natural end reach it: a private key block without its END line, a
     * JWT, a long URL or token. Default 8192, which fits a PEM private key of 8192-bit RSA.
     */
    @WithName("max-hold-back")
    @WithDefault("8192")
    int maxHoldBack();
}
