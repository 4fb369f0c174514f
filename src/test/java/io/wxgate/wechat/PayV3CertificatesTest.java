package io.wxgate.wechat;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code /v3/certificates}'s reply: wechatpay-java's published download vector ({@code TestConfig.DOWNLOAD_CERTIFICATE_RESPONSE},
 * APIv3 key {@code a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb}) reads, decrypts to the Tenpay certificate it lists, under the
 * serial it lists; and what the sandbox writes carries WeChat's field names.
 */
class PayV3CertificatesTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String SDK_API_V3_KEY = "a7cde1ZJB1kG2e7VfTs3jQzaWizur8Gb";
    private static final String SDK_CIPHERTEXT =
            "Mr/AxbvY+WL9hKlD5nIa03LOMPpn5f+CWeNxE4ujl0f5gXZ9XLJ9CldkArCOTsbU62XgKnTc3YvRMZQ7wCmE2fzwmAenAySTYsPm" +
            "s72JhggPWfdqVxri9YD5wBYKn8Ck0Fc5JIiVw9WlN2oxHBz83mRVsjoTGC5+cX1CdYqKuZ8pkvi0aCJIq07ZC8MHoTowUz+4jYJy" +
            "9XeKqip83Z7BmUYxsePpNM+HtihBqTJIUYXJfX7Col5X0ACsApRoU9l6swfW/kzvqNpDJavhDBGasLrr5822+Fk5nVkcTi53f8Wb" +
            "ue7ODWjJxj1yhRYcxFCvXLtpYNB+Qa1aXtrBSdBdBI2p7o+6Imn+auHLBCzkrZqF/yd+d4vTn4tqHPLUj89XcHsMf96uBo3T/HQV" +
            "8LEDeIO+6YvOK9FrIDYsvp+imN4n/mnF7eJKo9mpN/QqWJiawrFpAmMMxFKBjIdpgMnVUl3Z11RcWKyfOJ3kcmItTWcnZFNyDgR9" +
            "cS0aU6QPlefa3uUW89uzBuHjcFdDl43yU3LE4qZnHLDcDgx4qt0OFCLiy51GXtEpyYs5k99YJBvKK+RyIs4Yc1/smBmClQUhxW+8" +
            "bsPNOcXfDvH2yX4YzESoO4TV0RqiCgnsSd4zIFyJPiMKIGzVHiw6Kg0eGCmB4mGHEEZCQ0eN3SSPO0QVjjtBYfgXDZfVHSaAB8Pj" +
            "WBVNFimoViZZQrwT6Ygo0LU0Dd8+F5aHFYr4OPHPslr3hrgutEYXDTv1vTA6ABJGqknJ9Y2vtyWpy7aIwxc0kQq/1ezjs+RMVL/L" +
            "RpGDnbx1/CGPDjZhYgZypKa55+PDhoaQxqkF3xCLz2DGoNHZYmFqxzAOsAK0vJZw4VcAk6ssbA6YIaMuiemEpxfLC9ZiXtRqsX9s" +
            "+GWjjtA8JywOFMO+NKZm9BH/E5YNg2DDD3sHG9Mciwn7yJ6sdf8h2lAWlEExAOeiBNyshOHAQ0/S+x1ncWNiqY+Uh5n0rtonvePV" +
            "2MsxVlEWR3AVHn1abcEWkzivd+G5kg7LYO0goqzGClcQfnFfZdO6KwcMXsBCnm9A1Bl4+k5LLokTIYH5/36SRIZ9j0CHGD77BQLE" +
            "7x8AlNsoFS2m263tLLq78TFqvZUTIZIQcVIl+NInscS3xQbA38qqFqutCWIwoF1azuJ7woiJyMvnS3xzIpNzP+rzJ8VDXxjLjpEU" +
            "BOC9WDs74+QMtsAdmh6g0KDclHEk8WJ4P2bnso4z3VCGoDT5X/0bS1C+jMZMKaOCNB21FZ08qgUHmKeDeg8ylENu+mh2Y/AaEDSG" +
            "kGBHIfFbhMYO3uRxhk9hldiHEnHgdkXiVAAUWk/IhtmGijibO/L76vB74Xpes973uK+2iFKgNBk8qTLLZZnuWbcMQuA6VsFULRb/" +
            "C+q9B21YuAWPMzvgBwr4EX2m/OpF5w8Q0HL7v1H5H0mIGJbrjnklUPoBYrw30W3uk7yF0KE6sfMukafFx0S9rBOL0RykGDPwC0lH" +
            "SNySkXDeM5XvDJ+dtHK+RDwhJR+azfrWAHGMtZcQ+YVamjWVmHxXM03j3GeCXgqae1upwHzkPL5OwojcQ5MQi3Kv/1xtwY0cRN/y" +
            "eZTOsXfujtqhkJj/Vltby4lnW4SCj4LjWQF19BY6zhzF4yybBA8bhhtoNP/zx8QkhHAkIROkK2ZVgfocCAPvfQ+vSrsIBO+L5cmg" +
            "6mzFn4g84lsHscgXnszIlzUrzx/4Tam0uwuS9J1gddZ0I0QUt9SJzfsoBCTU0OgNMUtXKS5HvgXe7abexMtFH5eulOsAuFZkQ5LY" +
            "Ja/m4yHFInXzL/t3hjdTi2NmxUufvYzwIyffRTu5vS9vjscARD9lUQDHFQ/xgWe1i8EkRlrSfjlXt00+4//h2bcJKyTBT3IXwvKN" +
            "suY29V9/vU3HkvWKZ99zpSlmcZRuBa1BHbyPEvc0NlqIIoKidxqUvOR64MzudHhAjgWFP+IXojfhS3Gj9OJhBL7s";
    private static final String SDK_RESPONSE = "{\"data\":[{\"effective_time\":\"2023-09-19T23:15:58+08:00\","
            + "\"encrypt_certificate\":{\"algorithm\":\"AEAD_AES_256_GCM\",\"associated_data\":\"certificate\","
            + "\"ciphertext\":\"" + SDK_CIPHERTEXT + "\",\"nonce\":\"14b16c03dc1b\"},"
            + "\"expire_time\":\"2028-09-17T23:15:58+08:00\",\"serial_no\":\"5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC\"}]}";

    @Test
    void theSdksDownloadVectorDecryptsToTheCertificateItLists() throws Exception {
        PayV3Certificates.Certificate listed = JSON.readValue(SDK_RESPONSE, PayV3Certificates.class).data().get(0);
        PayV3Notification.Resource encrypted = listed.encryptCertificate();

        String pem = new PayV3Cipher(SDK_API_V3_KEY).decrypt(encrypted.associatedData(), encrypted.nonce(),
                encrypted.ciphertext());

        X509Certificate certificate = PayV3Keys.certificate(pem);
        assertThat(listed.serialNo()).isEqualTo("5DEA10EF55877E3CF6C33255C2E7DEFFF7E427EC")
                .isEqualTo(PayV3Keys.serialOf(certificate));
        assertThat(certificate.getSubjectX500Principal().getName()).contains("CN=Tenpay.com sign");
        assertThat(listed.effectiveTime()).isEqualTo("2023-09-19T23:15:58+08:00");
        assertThat(listed.expireTime()).isEqualTo("2028-09-17T23:15:58+08:00");
        assertThat(encrypted.algorithm()).isEqualTo(PayV3Cipher.ALGORITHM);
        assertThat(encrypted.associatedData()).isEqualTo(PayV3Certificates.ASSOCIATED_DATA);
    }

    @Test
    void writtenWithWeChatsFieldNamesAndNothingUnset() {
        PayV3Certificates certificates = new PayV3Certificates(List.of(new PayV3Certificates.Certificate("1A2B",
                "2026-11-27T10:00:00+08:00", "2031-11-26T10:00:00+08:00",
                new PayV3Notification.Resource("AEAD_AES_256_GCM", "Y2lwaGVy", "certificate", null, "0123456789ab"))));

        assertThat(JSON.writeValueAsString(certificates)).isEqualTo("{\"data\":[{\"serial_no\":\"1A2B\","
                + "\"effective_time\":\"2026-11-27T10:00:00+08:00\",\"expire_time\":\"2031-11-26T10:00:00+08:00\","
                + "\"encrypt_certificate\":{\"algorithm\":\"AEAD_AES_256_GCM\",\"ciphertext\":\"Y2lwaGVy\","
                + "\"associated_data\":\"certificate\",\"nonce\":\"0123456789ab\"}}]}");
    }
}
