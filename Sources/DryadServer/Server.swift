import DryadCore
