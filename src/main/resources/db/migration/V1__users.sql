-- utf8mb4 is declared here as well as on the connection: emoji nicknames need 4-byte characters.
CREATE TABLE wx_user (
  id          BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  openid      VARCHAR(64)  NOT NULL,
  unionid     VARCHAR(64)  NULL,
  nick_name   VARCHAR(100) NULL,
  avatar_url  VARCHAR(512) NULL,
  gender      TINYINT      NULL,
  language    VARCHAR(16)  NULL,
  city        VARCHAR(64)  NULL,
  province    VARCHAR(64)  NULL,
  country     VARCHAR(64)  NULL,
  phone_number        VARCHAR(32) NULL,
  pure_phone_number   VARCHAR(32) NULL,
  country_code        VARCHAR(8)  NULL,
  created_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at  TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  UNIQUE KEY uk_wx_user_openid (openid),
  KEY ix_wx_user_unionid (unionid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
