package io.portcullis.masking;

import io.portcullis.masking.MaskingSamples.Entity;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded random texts and cuts for the masking properties, so that a failure names its seed. */
final class RandomTexts {

    private static final List<String> NAUGHTY = MaskingSamples.naughtyStrings();

    private RandomTexts() {
    }

    /** Returns a text of 1 to 12 parts: prose, entities (mostly between blanks) and naughty strings. */
    static String text(Random random) {
        StringBuilder text = new StringBuilder();
        int parts = 1 + random.nextInt(12);
        for (int i = 0; i < parts; i++) {
            int kind = random.nextInt(8);
            if (kind < 4) {
                text.append(MaskingSamples.PROSE.get(random.nextInt(MaskingSamples.PROSE.size())));
            } else if (kind < 7) {
                Entity entity = MaskingSamples.ENTITIES.get(random.nextInt(MaskingSamples.ENTITIES.size()));
                boolean spaced = random.nextInt(4) > 0;
                text.append(spaced ? " " : "").append(entity.value()).append(spaced ? " " : "");
            } else {
                text.append(NAUGHTY.get(random.nextInt(NAUGHTY.size())));
            }
        }
        return text.toString();
    }

    /** Cuts a text into pieces of 0 to 12 characters, as model tokens arrive. */
    static List<String> cut(String text, Random random) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = Math.min(text.length(), start + random.nextInt(13));
            pieces.add(text.substring(start, end));
            start = end;
        }
        return pieces;
    }
}
