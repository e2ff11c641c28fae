/// Whether a token a device proposes for itself (ThingsBoard lets firmware choose) is hard enough to
/// guess to stand as its only credential.
public enum TokenStrength {
    /// At least 20 characters of `A–Z a–z 0–9 - _`, at most 128, with at least 10 different characters
    /// and at least three kinds of them (upper, lower, digit, symbol): about 100 bits for a random one,
    /// and no `aaaaaaaaaaaaaaaaaaaa` or `12345678901234567890`.
    public static func isStrongEnough(_ token: String) -> Bool {
        let scalars = Array(token.unicodeScalars)
        guard (20...128).contains(scalars.count) else { return false }
        var kinds = Set<Int>()
        for scalar in scalars {
            switch scalar {
            case "A"..."Z": kinds.insert(0)
            case "a"..."z": kinds.insert(1)
            case "0"..."9": kinds.insert(2)
            case "-", "_": kinds.insert(3)
            default: return false
            }
        }
        guard Set(scalars).count >= 10, kinds.count >= 3 else { return false }
        // Runs like "abcdefgh…" or "12345678…": most neighbours one apart.
        let steps = zip(scalars, scalars.dropFirst()).filter { abs(Int($0.value) - Int($1.value)) == 1 }.count
        return steps * 2 < scalars.count
    }
}
