package io.portcullis.inspection.detect;

/**
 * Entity type names that the detectors emit. They are the names of
 * {@code data_protection.secret_types} and {@code pii_types} in opa-policies/data.json, so that
 * the policy acts on them. Where Microsoft Presidio uses another name, the constant
 * names it.
 */
public final class EntityTypes {

    public static final String EMAIL_ADDRESS = "EMAIL_ADDRESS";
    public static final String PHONE_NUMBER = "PHONE_NUMBER";
    public static final String CREDIT_CARD = "CREDIT_CARD";
    /** Presidio calls it {@code IBAN_CODE}. */
    public static final String IBAN = "IBAN";
    public static final String US_SSN = "US_SSN";
    public static final String IP_ADDRESS = "IP_ADDRESS";
    /**
     * Crypto wallet address, Presidio's name. NOTE: not listed in data.json, so the policy
     * treats it as an unknown type: it masks it but neither denies it as a secret nor lets a
     * group see it in clear.
     */
    public static final String CRYPTO = "CRYPTO";
    public static final String AWS_ACCESS_KEY = "AWS_ACCESS_KEY";
    /** API keys and tokens of SaaS providers, bearer tokens, and secrets in assignments. */
    public static final String API_KEY = "API_KEY";
    /** Passwords in assignments and in URLs with credentials (user:password@host). */
    public static final String PASSWORD = "PASSWORD";
    public static final String PRIVATE_KEY = "PRIVATE_KEY";
    public static final String JWT = "JWT";
    /** Database connection strings that contain a password. */
    public static final String CONNECTION_STRING = "CONNECTION_STRING";

    /** UK National Health Service number. */
    public static final String UK_NHS = "UK_NHS";
    /** Canadian social insurance number. */
    public static final String CA_SIN = "CA_SIN";
    /** Spanish national identity document number (DNI, the personal NIF). */
    public static final String ES_NIF = "ES_NIF";
    /** Spanish foreigner identity number. */
    public static final String ES_NIE = "ES_NIE";
    /** Indian Aadhaar number. */
    public static final String IN_AADHAAR = "IN_AADHAAR";
    /** Italian fiscal code (codice fiscale) of a person. */
    public static final String IT_FISCAL_CODE = "IT_FISCAL_CODE";

    private EntityTypes() {
    }
}
