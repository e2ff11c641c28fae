import Foundation

/// A QR code (ISO/IEC 18004) for the short payloads of gate passes: byte mode, error correction level
/// M, versions 1–3 (up to 42 bytes), the mask with the lowest penalty. Rendered as SVG by the server.
public struct QRCode: Sendable, Equatable {
    public let version: Int
    public let mask: Int
    /// `modules[row][column]`, true for dark.
    public let modules: [[Bool]]
    public var size: Int { modules.count }

    public enum Failure: Error, Equatable { case tooLong }

    /// Data and error-correction codewords per version at level M (one block each).
    static let layout: [(data: Int, ec: Int)] = [(16, 10), (28, 16), (44, 26)]

    public init(_ text: String, mask fixedMask: Int? = nil) throws {
        let bytes = Array(text.utf8)
        guard let version = (1...3).first(where: { bytes.count + 2 <= Self.layout[$0 - 1].data }) else {
            throw Failure.tooLong
        }
        let (dataCount, ecCount) = Self.layout[version - 1]
        var bits: [Bool] = []
        func put(_ value: Int, _ length: Int) {
            for i in stride(from: length - 1, through: 0, by: -1) { bits.append((value >> i) & 1 == 1) }
        }
        put(0b0100, 4)
        put(bytes.count, 8)
        for byte in bytes { put(Int(byte), 8) }
        put(0, min(4, dataCount * 8 - bits.count))
        while bits.count % 8 != 0 { bits.append(false) }
        var data: [UInt8] = stride(from: 0, to: bits.count, by: 8).map { start in
            (0..<8).reduce(UInt8(0)) { $0 << 1 | (bits[start + $1] ? 1 : 0) }
        }
        var pad: [UInt8] = [0xEC, 0x11]
        while data.count < dataCount {
            data.append(pad[0])
            pad.swapAt(0, 1)
        }
        let codewords = data + ReedSolomon.remainder(data, degree: ecCount)
        let base = Matrix(version: version)
        var best: (Int, [[Bool]], Int)?
        for mask in fixedMask.map({ [$0] }) ?? Array(0..<8) {
            var matrix = base
            matrix.place(codewords)
            matrix.apply(mask: mask)
            matrix.format(mask: mask)
            let penalty = matrix.penalty()
            if best == nil || penalty < best!.0 { best = (penalty, matrix.dark, mask) }
        }
        self.version = version
        self.modules = best!.1
        self.mask = best!.2
    }

    /// An SVG with a four-module quiet zone; `title` is read by screen readers.
    public func svg(title: String, moduleSize: Int = 8) -> String {
        let total = (size + 8) * moduleSize
        var path = ""
        for row in 0..<size {
            for column in 0..<size where modules[row][column] {
                path +=
                    "M\((column + 4) * moduleSize) \((row + 4) * moduleSize)h\(moduleSize)v\(moduleSize)h-\(moduleSize)z"
            }
        }
        let escaped = Markup.escape(title)
        return
            ##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \##(total) \##(total)" width="\##(total)" height="\##(total)" role="img" aria-label="\##(escaped)"><title>\##(escaped)</title><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d="\##(path)"/></svg>"##
    }
}

/// The module grid while it is being built: which modules are fixed patterns, and their colours.
struct Matrix {
    let size: Int
    let version: Int
    var dark: [[Bool]]
    var function: [[Bool]]

    init(version: Int) {
        self.version = version
        size = 17 + 4 * version
        dark = Array(repeating: Array(repeating: false, count: size), count: size)
        function = dark
        for (row, column) in [(0, 0), (0, size - 7), (size - 7, 0)] { finder(row, column) }
        for i in 8..<(size - 8) {
            set(6, i, i % 2 == 0)
            set(i, 6, i % 2 == 0)
        }
        if version >= 2 {
            let center = size - 7
            for dy in -2...2 {
                for dx in -2...2 { set(center + dy, center + dx, max(abs(dx), abs(dy)) != 1) }
            }
        }
        set(size - 8, 8, true)  // the dark module
        // Reserve the format areas (written after masking).
        for i in 0..<9 {
            reserve(8, i)
            reserve(i, 8)
        }
        for i in 0..<8 {
            reserve(8, size - 1 - i)
            reserve(size - 1 - i, 8)
        }
    }

    mutating func set(_ row: Int, _ column: Int, _ value: Bool) {
        dark[row][column] = value
        function[row][column] = true
    }

    mutating func reserve(_ row: Int, _ column: Int) { function[row][column] = true }

    mutating func finder(_ top: Int, _ left: Int) {
        for dy in -1...7 {
            for dx in -1...7 {
                let row = top + dy, column = left + dx
                guard row >= 0, row < size, column >= 0, column < size else { continue }
                let ring = max(abs(dy - 3), abs(dx - 3))
                set(row, column, ring != 2 && ring != 4)
            }
        }
    }

    /// The zigzag placement of codewords, two columns at a time from the bottom right.
    mutating func place(_ codewords: [UInt8]) {
        var bit = 0
        let total = codewords.count * 8
        var column = size - 1
        var upward = true
        while column > 0 {
            if column == 6 { column -= 1 }
            for step in 0..<size {
                let row = upward ? size - 1 - step : step
                for c in [column, column - 1] where !function[row][c] {
                    if bit < total { dark[row][c] = (codewords[bit / 8] >> (7 - bit % 8)) & 1 == 1 }
                    bit += 1
                }
            }
            upward.toggle()
            column -= 2
        }
    }

    static func masked(_ mask: Int, _ row: Int, _ column: Int) -> Bool {
        switch mask {
        case 0: (row + column) % 2 == 0
        case 1: row % 2 == 0
        case 2: column % 3 == 0
        case 3: (row + column) % 3 == 0
        case 4: (row / 2 + column / 3) % 2 == 0
        case 5: (row * column) % 2 + (row * column) % 3 == 0
        case 6: ((row * column) % 2 + (row * column) % 3) % 2 == 0
        default: ((row + column) % 2 + (row * column) % 3) % 2 == 0
        }
    }

    mutating func apply(mask: Int) {
        for row in 0..<size {
            for column in 0..<size where !function[row][column] && Self.masked(mask, row, column) {
                dark[row][column].toggle()
            }
        }
    }

    /// The 15 format bits (level M = 00, the mask, BCH, XOR 0x5412) in both copies.
    mutating func format(mask: Int) {
        let data = (0b00 << 3) | mask
        var remainder = data << 10
        for i in stride(from: 14, through: 10, by: -1) where (remainder >> i) & 1 == 1 {
            remainder ^= 0x537 << (i - 10)
        }
        let bits = ((data << 10) | remainder) ^ 0x5412
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { dark[i][8] = bit(i) }
        dark[7][8] = bit(6)
        dark[8][8] = bit(7)
        dark[8][7] = bit(8)
        for i in 9..<15 { dark[8][14 - i] = bit(i) }
        for i in 0..<8 { dark[8][size - 1 - i] = bit(i) }
        for i in 8..<15 { dark[size - 15 + i][8] = bit(i) }
        dark[size - 8][8] = true
    }

    /// The four penalty rules of the standard.
    func penalty() -> Int {
        var total = 0
        for line in 0..<size {
            for horizontal in [true, false] {
                var run = 1
                for i in 1..<size {
                    let a = horizontal ? dark[line][i] : dark[i][line]
                    let b = horizontal ? dark[line][i - 1] : dark[i - 1][line]
                    if a == b {
                        run += 1
                    } else {
                        if run >= 5 { total += run - 2 }
                        run = 1
                    }
                }
                if run >= 5 { total += run - 2 }
            }
        }
        for row in 0..<(size - 1) {
            for column in 0..<(size - 1) {
                let v = dark[row][column]
                if dark[row][column + 1] == v && dark[row + 1][column] == v && dark[row + 1][column + 1] == v {
                    total += 3
                }
            }
        }
        let pattern: [Bool] = [true, false, true, true, true, false, true, false, false, false, false]
        for line in 0..<size {
            for start in 0...(size - 11) {
                var forward = true, backward = true, down = true, up = true
                for k in 0..<11 {
                    if dark[line][start + k] != pattern[k] { forward = false }
                    if dark[line][start + k] != pattern[10 - k] { backward = false }
                    if dark[start + k][line] != pattern[k] { down = false }
                    if dark[start + k][line] != pattern[10 - k] { up = false }
                }
                total += 40 * [forward, backward, down, up].filter { $0 }.count
            }
        }
        let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
        let percent = darkCount * 100 / (size * size)
        total += abs(percent - 50) / 5 * 10
        return total
    }
}

/// Reed–Solomon error correction over GF(256) with the QR polynomial 0x11D.
enum ReedSolomon {
    static let (exp, log): ([Int], [Int]) = {
        var exp = [Int](repeating: 0, count: 512)
        var log = [Int](repeating: 0, count: 256)
        var x = 1
        for i in 0..<255 {
            exp[i] = x
            log[x] = i
            x <<= 1
            if x & 0x100 != 0 { x ^= 0x11D }
        }
        for i in 255..<512 { exp[i] = exp[i - 255] }
        return (exp, log)
    }()

    static func multiply(_ a: Int, _ b: Int) -> Int { a == 0 || b == 0 ? 0 : exp[log[a] + log[b]] }

    static func generator(_ degree: Int) -> [Int] {
        var g = [1]
        for i in 0..<degree {
            var next = [Int](repeating: 0, count: g.count + 1)
            for (j, c) in g.enumerated() {
                next[j] ^= c
                next[j + 1] ^= multiply(c, exp[i])
            }
            g = next
        }
        return g
    }

    static func remainder(_ data: [UInt8], degree: Int) -> [UInt8] {
        let g = generator(degree)
        var r = [Int](repeating: 0, count: degree)
        for byte in data {
            let factor = Int(byte) ^ r[0]
            r.removeFirst()
            r.append(0)
            for i in 0..<degree { r[i] ^= multiply(g[i + 1], factor) }
        }
        return r.map { UInt8($0) }
    }
}
