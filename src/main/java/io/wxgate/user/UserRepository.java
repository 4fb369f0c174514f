package io.wxgate.user;

import java.math.BigDecimal;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Repository;
import reactor.core.publisher.Mono;

/** The {@code wx_user} table, one row per openid; every write is a single upsert. */
@Repository
public class UserRepository {

    private final DatabaseClient db;

    public UserRepository(DatabaseClient db) {
        this.db = db;
    }

    /** Creates the user on first login; afterwards only fills in a unionid WeChat newly reveals. */
    public Mono<Void> recordLogin(String openid, String unionid) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("""
                INSERT INTO wx_user (openid, unionid) VALUES (:openid, :unionid)
                ON DUPLICATE KEY UPDATE unionid = COALESCE(VALUES(unionid), unionid)
                """);
        spec = bind(spec, "openid", openid, String.class);
        spec = bind(spec, "unionid", unionid, String.class);
        return spec.then();
    }

    /** The profile from wx.getUserInfo; the unionid is never taken from it (only jscode2session's counts). */
    public Mono<Void> saveProfile(String openid, OpenData.UserInfo info) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("""
                INSERT INTO wx_user (openid, nick_name, avatar_url, gender, language, city, province, country)
                VALUES (:openid, :nickName, :avatarUrl, :gender, :language, :city, :province, :country)
                ON DUPLICATE KEY UPDATE nick_name = VALUES(nick_name), avatar_url = VALUES(avatar_url), gender = VALUES(gender),
                  language = VALUES(language), city = VALUES(city), province = VALUES(province),
                  country = VALUES(country)
                """);
        spec = bind(spec, "openid", openid, String.class);
        spec = bind(spec, "nickName", info.nickName(), String.class);
        spec = bind(spec, "avatarUrl", info.avatarUrl(), String.class);
        spec = bind(spec, "gender", info.gender(), Integer.class);
        spec = bind(spec, "language", info.language(), String.class);
        spec = bind(spec, "city", info.city(), String.class);
        spec = bind(spec, "province", info.province(), String.class);
        spec = bind(spec, "country", info.country(), String.class);
        return spec.then();
    }

    public Mono<Void> savePhone(String openid, OpenData.PhoneInfo phone) {
        DatabaseClient.GenericExecuteSpec spec = db.sql("""
                INSERT INTO wx_user (openid, phone_number, pure_phone_number, country_code)
                VALUES (:openid, :phoneNumber, :purePhoneNumber, :countryCode)
                ON DUPLICATE KEY UPDATE phone_number = VALUES(phone_number),
                  pure_phone_number = VALUES(pure_phone_number), country_code = VALUES(country_code)
                """);
        spec = bind(spec, "openid", openid, String.class);
        spec = bind(spec, "phoneNumber", phone.phoneNumber(), String.class);
        spec = bind(spec, "purePhoneNumber", phone.purePhoneNumber(), String.class);
        spec = bind(spec, "countryCode", phone.countryCode(), String.class);
        return spec.then();
    }

    /** The URL of the avatar the user uploaded. */
    public Mono<Void> saveAvatarUrl(String openid, String url) {
        return db.sql("UPDATE wx_user SET avatar_url = :url WHERE openid = :openid")
                .bind("url", url)
                .bind("openid", openid)
                .then();
    }

    /** A nickname that passed WeChat's content check. */
    public Mono<Void> saveNickname(String openid, String nickName) {
        return db.sql("UPDATE wx_user SET nick_name = :nickName WHERE openid = :openid")
                .bind("nickName", nickName)
                .bind("openid", openid)
                .then();
    }

    /** The stored user, or empty when this openid never logged in. */
    public Mono<UserProfile> find(String openid) {
        return db.sql("""
                        SELECT nick_name, avatar_url, gender, language, city, province, country,
                               phone_number, pure_phone_number, country_code
                        FROM wx_user WHERE openid = :openid
                        """)
                .bind("openid", openid)
                .map(row -> new UserProfile(
                        row.get("nick_name", String.class),
                        row.get("avatar_url", String.class),
                        row.get("gender", Integer.class),
                        row.get("language", String.class),
                        row.get("city", String.class),
                        row.get("province", String.class),
                        row.get("country", String.class),
                        row.get("phone_number", String.class),
                        row.get("pure_phone_number", String.class),
                        row.get("country_code", String.class)))
                .one();
    }

    /** The stored user in the seed's {@code Wxuser} shape, or empty when this openid never logged in. */
    public Mono<SeedUser> findSeedUser(String openid) {
        return db.sql("""
                        SELECT id, openid, nick_name, avatar_url, language, province, city, country,
                               UNIX_TIMESTAMP(created_at) AS created, UNIX_TIMESTAMP(updated_at) AS updated
                        FROM wx_user WHERE openid = :openid
                        """)
                .bind("openid", openid)
                .map(row -> new SeedUser(
                        row.get("id", Long.class),
                        row.get("openid", String.class),
                        SeedUser.text(row.get("nick_name", String.class)),
                        SeedUser.text(row.get("avatar_url", String.class)),
                        SeedUser.text(row.get("language", String.class)),
                        SeedUser.text(row.get("province", String.class)),
                        SeedUser.text(row.get("city", String.class)),
                        SeedUser.text(row.get("country", String.class)),
                        SeedUser.djangoTime(row.get("created", BigDecimal.class)),
                        SeedUser.djangoTime(row.get("updated", BigDecimal.class))))
                .one();
    }

    private static DatabaseClient.GenericExecuteSpec bind(DatabaseClient.GenericExecuteSpec spec, String name,
                                                          Object value, Class<?> type) {
        return value == null ? spec.bindNull(name, type) : spec.bind(name, value);
    }
}
