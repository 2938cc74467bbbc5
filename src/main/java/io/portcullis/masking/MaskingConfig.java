package io.portcullis.masking;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithName;

import java.util.Optional;

/** Masking of prompts and answers, under {@code portcullis.masking}. */
@ConfigMapping(prefix = "portcullis.masking")
public interface MaskingConfig {

    /**
     * File with the key that encrypts the originals of pseudonyms in PostgreSQL: 32 or more
     * random bytes, in base64 on one line (for example the output of {@code openssl rand -base64 32}).
     * Every replica must read the same key. Without it, each process generates a key at boot,
     * so pseudonyms stored by another replica or before a restart can no longer be read.
     */
    @WithName("key-file")
    Optional<String> keyFile();
}
