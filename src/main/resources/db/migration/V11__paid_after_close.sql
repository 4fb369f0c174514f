-- WeChat is the authority on money: a payment it reports for an order closed here is applied all the same,
-- and flagged for an operator to look at (a refund, most likely).
ALTER TABLE pay_order ADD COLUMN paid_after_close TINYINT(1) NOT NULL DEFAULT 0 AFTER time_end;
