import Fluent
import LinliCore
import Vapor

extension QueryBuilder {
    /// Only rows of the principal's current households made since the principal moved in there: a new
    /// occupant sees none of the former occupants' requests, passes, bookings, codes or notifications.
    /// The one place resident lists are bounded; single records go through
    /// `AccessRequest.viewHouseholdRecord`.
    @discardableResult
    func madeInHomes(of principal: Principal, household: FieldKey = "household_id", madeAt: FieldKey = "created_at")
        -> Self
    {
        let homes = Array(principal.households.keys)
        guard !homes.isEmpty else {
            return filter(.path([household], schema: Model.schemaOrAlias), .subset(inverse: false), .array([]))
        }
        return group(.or) { any in
            for home in homes {
                any.group(.and) { both in
                    both.filter(household, .equal, home)
                        .filter(madeAt, .greaterThanOrEqual, principal.residentSince[home] ?? .distantPast)
                }
            }
        }
    }
}
