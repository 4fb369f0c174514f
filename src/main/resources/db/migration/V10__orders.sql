-- WeChat Pay orders and every notify WeChat (or anyone) sent about them. Times are UTC.
-- out_trade_no and idempotency_key compare byte for byte: "aB" and "Ab" are different keys.
CREATE TABLE pay_order (
  id                 BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  out_trade_no       VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  openid             VARCHAR(64)  NOT NULL,
  idempotency_key    VARCHAR(64)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  total_fee          BIGINT       NOT NULL,
  body               VARCHAR(128) NOT NULL,
  spbill_create_ip   VARCHAR(64)  NOT NULL,
  sign_type          VARCHAR(16)  NOT NULL,
  trade_state        VARCHAR(16)  NOT NULL,
  prepay_id          VARCHAR(64)  NULL,
  prepay_expires_at  DATETIME(3)  NULL,
  pay_nonce_str      VARCHAR(32)  NULL,
  pay_timestamp      BIGINT       NULL,
  transaction_id     VARCHAR(32)  NULL,
  bank_type          VARCHAR(32)  NULL,
  time_end           VARCHAR(14)  NULL,
  reconcile_after    DATETIME(3)  NULL,
  version            INT          NOT NULL DEFAULT 0,
  created_at         DATETIME(3)  NOT NULL,
  updated_at         DATETIME(3)  NOT NULL,
  UNIQUE KEY uk_pay_order_out_trade_no (out_trade_no),
  UNIQUE KEY uk_pay_order_idempotency (openid, idempotency_key),
  KEY ix_pay_order_open (trade_state, created_at),
  CONSTRAINT ck_pay_order_total_fee CHECK (total_fee > 0),
  CONSTRAINT ck_pay_order_trade_state CHECK (trade_state IN
      ('NOTPAY', 'USERPAYING', 'SUCCESS', 'REFUND', 'CLOSED', 'REVOKED', 'PAYERROR')),
  CONSTRAINT ck_pay_order_sign_type CHECK (sign_type IN ('MD5', 'HMAC_SHA256'))
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE pay_notify (
  id              BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
  out_trade_no    VARCHAR(32)  CHARACTER SET ascii COLLATE ascii_bin NULL,
  transaction_id  VARCHAR(32)  NULL,
  verdict         VARCHAR(24)  NOT NULL,
  detail          VARCHAR(255) NULL,
  raw_body        MEDIUMTEXT   NOT NULL,
  received_at     DATETIME(3)  NOT NULL,
  KEY ix_pay_notify_out_trade_no (out_trade_no),
  KEY ix_pay_notify_received_at (received_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
