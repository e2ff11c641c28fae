/// How each registry list may be sorted.
extension Sorting {
    static let communities = Sorting(keys: ["name"], defaultSort: "name")
    static let buildings = Sorting(keys: ["name", "floors"], defaultSort: "name")
    static let households = Sorting(keys: ["room", "floor"], defaultSort: "room")
    static let residents = Sorting(keys: ["name", "phone"], defaultSort: "name")
    static let staff = Sorting(keys: ["role"], defaultSort: "role")
    static let audit = Sorting(keys: ["at"], defaultSort: "-at")
    /// Computed whole, in their one order.
    static let members = Sorting(keys: ["moved_in"], defaultSort: "moved_in")
    static let guardians = Sorting(keys: ["registered_at"], defaultSort: "registered_at")
}
