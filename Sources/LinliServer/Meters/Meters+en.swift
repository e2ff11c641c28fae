extension MetersStrings {
    /// English strings of meters and bills (the same keys in every language; a test checks).
    static let en: [String: String] = [
        "field.item": "Item",
        "field.tierLimits": "Tier limits",
        "field.prices": "Prices",
        "field.period": "Period",
        "field.channel": "Paid by",
        "reason.already_paid": "the bill is already paid",
        "reason.not_over": "that month is not over yet",
        "reason.one_price": "the property fee has one price (fen per m² a month)",
        "reason.more_than_owed": "is more than is owed",
        "reason.no_prices": "has no price",
        "reason.tiers_do_not_match_prices": "needs one price more than tier limits",
        "reason.tiers_not_increasing": "must increase tier by tier",
        "reason.negative_price": "cannot be negative",
    ]
}
