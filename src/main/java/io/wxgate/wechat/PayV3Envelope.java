package io.wxgate.wechat;

import java.time.Instant;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The checks a WeChat Pay APIv3 notify passes before anything in it is believed, in this order: its signature over
 * the raw body bytes ({@link PayV3Verifier}: serial, window, probes), then the JSON, then the {@code resource}
 * decrypted with the APIv3 key, then this merchant's appid and mchid. Nothing is parsed before the signature
 * verified; what the transaction means is the caller's.
 */
public final class PayV3Envelope {

    /** Why a notify was not believed. Everything before {@code MALFORMED} is anyone's to provoke. */
    public enum Failure {
        /** Headers missing, unknown serial, stale timestamp, probe or wrong signature: one answer for all. */
        UNVERIFIED,
        /** Signed, but not a notify body, or its resource not a transaction. */
        MALFORMED,
        /** Signed, but the resource does not decrypt with our APIv3 key (wrong key, tampered text or tag). */
        UNDECRYPTABLE,
        /** Signed and decrypted, but for another appid or mchid. */
        WRONG_MERCHANT
    }

    /** A verified notify: the envelope as sent and its decrypted transaction. */
    public record Verified(PayV3Notification notification, PayV3Transaction transaction) {
    }

    /** The verdict: exactly one of the two is present. */
    public record Result(Optional<Verified> verified, Optional<Failure> failure, Optional<PayV3Verifier.Failure> why) {
        static Result of(Verified verified) {
            return new Result(Optional.of(verified), Optional.empty(), Optional.empty());
        }

        static Result refused(Failure failure) {
            return new Result(Optional.empty(), Optional.of(failure), Optional.empty());
        }

        static Result unverified(PayV3Verifier.Failure why) {
            return new Result(Optional.empty(), Optional.of(Failure.UNVERIFIED), Optional.of(why));
        }
    }

    private final PayV3Verifier verifier;
    private final PayV3Cipher cipher;
    private final String appid;
    private final String mchid;
    private final JsonMapper json;

    public PayV3Envelope(PayV3Verifier verifier, PayV3Cipher cipher, String appid, String mchid, JsonMapper json) {
        this.verifier = verifier;
        this.cipher = cipher;
        this.appid = appid;
        this.mchid = mchid;
        this.json = json;
    }

    public Result open(PayV3Verifier.SignedHeaders headers, byte[] body, Instant now) {
        Optional<PayV3Verifier.Failure> unverified = verifier.verify(headers, body, now);
        if (unverified.isPresent()) {
            return Result.unverified(unverified.get());
        }
        PayV3Notification notification;
        try {
            notification = json.readValue(body, PayV3Notification.class);
        } catch (JacksonException e) {
            return Result.refused(Failure.MALFORMED);
        }
        PayV3Notification.Resource resource = notification == null ? null : notification.resource();
        if (resource == null || !PayV3Cipher.ALGORITHM.equals(resource.algorithm())) {
            return Result.refused(Failure.MALFORMED);
        }
        String plaintext;
        try {
            plaintext = cipher.decrypt(resource.associatedData(), resource.nonce(), resource.ciphertext());
        } catch (PayV3Cipher.Undecryptable e) {
            return Result.refused(Failure.UNDECRYPTABLE);
        }
        PayV3Transaction transaction;
        try {
            transaction = json.readValue(plaintext, PayV3Transaction.class);
        } catch (JacksonException e) {
            return Result.refused(Failure.MALFORMED);
        }
        if (transaction == null) {
            return Result.refused(Failure.MALFORMED);
        }
        if (!appid.equals(transaction.appid()) || !mchid.equals(transaction.mchid())) {
            return Result.refused(Failure.WRONG_MERCHANT);
        }
        return Result.of(new Verified(notification, transaction));
    }
}
