extension MetersStrings {
    /// 水电与账单的中文文案（各语言键相同，有测试检查）。
    static let zhCN: [String: String] = [
        "field.item": "收费项目",
        "field.tierLimits": "阶梯上限",
        "field.prices": "单价",
        "field.period": "账期",
        "field.channel": "付款方式",
        "reason.already_paid": "这张账单已经付清",
        "reason.not_over": "这个月还没结束",
        "reason.one_price": "物业费只有一个单价（元/平方米·月）",
        "reason.more_than_owed": "超过了应付金额",
        "reason.no_prices": "没有单价",
        "reason.tiers_do_not_match_prices": "单价个数应比阶梯上限多一个",
        "reason.tiers_not_increasing": "阶梯上限必须逐级增加",
        "reason.negative_price": "单价不能为负数",
    ]
}
