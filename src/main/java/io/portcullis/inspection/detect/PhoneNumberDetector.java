package io.portcullis.inspection.detect;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.PhoneNumberUtil.Leniency;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds phone numbers with Google's libphonenumber matcher at {@link Leniency#VALID}: numbers
 * that are valid for their region. Numbers without a country code are read as numbers of the
 * default region.
 */
public final class PhoneNumberDetector implements Detector {

    static final double CONFIDENCE = 0.7;
    static final double CONFIDENCE_WITH_CONTEXT = 0.9;

    private static final List<String> CONTEXT = List.of("phone", "tel", "call", "mobile", "cell", "fax", "number",
            "contact", "whatsapp");

    private final PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    private final String defaultRegion;

    /** @param defaultRegion ISO 3166-1 alpha-2 code, such as {@code US} */
    public PhoneNumberDetector(String defaultRegion) {
        if (!util.getSupportedRegions().contains(defaultRegion)) {
            throw new IllegalArgumentException("Unknown phone region " + defaultRegion
                    + ": expected an ISO 3166-1 alpha-2 code supported by libphonenumber, such as US or DE");
        }
        this.defaultRegion = defaultRegion;
    }

    @Override
    public List<Finding> detect(String text) {
        List<Finding> findings = new ArrayList<>();
        for (PhoneNumberMatch match : util.findNumbers(text, defaultRegion, Leniency.VALID, Long.MAX_VALUE)) {
            int start = match.start();
            double confidence = Context.precededBy(text, start, CONTEXT) ? CONFIDENCE_WITH_CONTEXT : CONFIDENCE;
            findings.add(new Finding(EntityTypes.PHONE_NUMBER, start, match.end(), confidence));
        }
        return findings;
    }
}
