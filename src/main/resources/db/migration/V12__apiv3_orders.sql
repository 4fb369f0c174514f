-- APIv3 orders are signed RSA (the merchant's private key); an order keeps its sign type for life
ALTER TABLE pay_order DROP CONSTRAINT ck_pay_order_sign_type;
ALTER TABLE pay_order ADD CONSTRAINT ck_pay_order_sign_type CHECK (sign_type IN ('MD5', 'HMAC_SHA256', 'RSA'));
