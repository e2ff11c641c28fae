import Foundation

/// When a background job runs next: the pure rules of the job runner.
///
/// A recurring job runs `every` seconds after its last run finished — never to catch up: a job that was
/// due while the server was down runs once when it is back, then keeps its rhythm from there. A run that
/// failed is tried again after a backoff that doubles each attempt (5 s, 10 s, 20 s … at most an hour)
/// until the job's attempts are used up.
public enum JobPlan {
    public static let firstBackoff: TimeInterval = 5
    public static let longestBackoff: TimeInterval = 3600

    public enum Outcome: Equatable, Sendable {
        /// Run again at this time (the status stays scheduled).
        case runAt(Date, attempts: Int)
        /// A one-off job that succeeded.
        case done
        /// A one-off job whose attempts are used up.
        case failed
    }

    /// The pause before attempt `attempt + 1`, after `attempt` failed ones (1, 2, 3 …).
    public static func backoff(afterFailures attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, min(attempt - 1, 20)))
        return min(longestBackoff, firstBackoff * pow(2, exponent))
    }

    /// What follows a run that finished at `now`.
    /// - Parameters:
    ///   - every: the recurring interval, nil for a one-off job.
    ///   - attempts: the attempts made so far, this one included.
    public static func after(
        succeeded: Bool, every: TimeInterval?, attempts: Int, maxAttempts: Int, now: Date
    ) -> Outcome {
        if succeeded {
            guard let every else { return .done }
            return .runAt(now.addingTimeInterval(every), attempts: 0)
        }
        if attempts < maxAttempts {
            let retry = now.addingTimeInterval(backoff(afterFailures: attempts))
            // A recurring job retries sooner than its next turn, never later.
            if let every, retry > now.addingTimeInterval(every) {
                return .runAt(now.addingTimeInterval(every), attempts: 0)
            }
            return .runAt(retry, attempts: attempts)
        }
        guard let every else { return .failed }
        // A recurring job that used up its attempts waits for its next turn and starts counting again.
        return .runAt(now.addingTimeInterval(every), attempts: 0)
    }
}
