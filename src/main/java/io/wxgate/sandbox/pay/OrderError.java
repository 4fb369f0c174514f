package io.wxgate.sandbox.pay;

/** A WeChat Pay business error ({@code result_code FAIL}) with WeChat's {@code err_code} and description. */
public enum OrderError {
    OUT_TRADE_NO_USED("商户订单号重复"),
    ORDERPAID("该订单已支付"),
    ORDERCLOSED("该订单已关闭"),
    ORDERNOTEXIST("此交易订单号不存在"),
    APPID_MCHID_NOT_MATCH("appid和mch_id不匹配"),
    SYSTEMERROR("系统错误"),
    PARAM_ERROR("参数错误"),
    /** Not a WeChat Pay err_code: the phone presented a prepay_id older than its two hours. */
    PREPAY_EXPIRED("prepay_id已过期");

    private final String description;

    OrderError(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
