import DryadCore
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Request ids shaped like lower-case UUIDs: a random half chosen at start-up and a counter
/// half, so they are unique across the process's life and cheap to make (a `UUID` per request
/// cost a random read and a lower-casing).
final class RequestIDGenerator: Sendable {
    private let base = UInt64.random(in: .min ... .max)
    private let counter = Atomic<UInt64>(0)

    func next() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        var text = [UInt8]()
        text.reserveCapacity(36)
        func hex(_ value: UInt64, digits: Int) {
            for shift in stride(from: (digits - 1) * 4, through: 0, by: -4) {
                text.append(Self.digits[Int((value >> UInt64(shift)) & 0xF)])
            }
        }
        hex(base >> 32, digits: 8)
        text.append(UInt8(ascii: "-"))
        hex(base >> 16, digits: 4)
        text.append(UInt8(ascii: "-"))
        hex(base, digits: 4)
        text.append(UInt8(ascii: "-"))
        hex(count >> 48, digits: 4)
        text.append(UInt8(ascii: "-"))
        hex(count, digits: 12)
        return String(decoding: text, as: UTF8.self)
    }

    private static let digits = Array("0123456789abcdef".utf8)
}
