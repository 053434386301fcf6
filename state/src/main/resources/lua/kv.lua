-- Key-value state of one function, applied atomically. Every write takes the next value of the
-- global counter stoke:state:zxid as the key's version, so versions only grow, even across a
-- delete and re-create (a compare-and-set can never succeed against a recycled version).
-- ARGV: op, function, key, then per op (see each branch). Replies are JSON strings.
local op, fn, key = ARGV[1], ARGV[2], ARGV[3]
local base = 'stoke:state:kv:' .. fn
local index = base .. ':index'
local function vkey(k) return base .. ':v:' .. k end

local function read(k)
  local h = redis.call('HMGET', vkey(k), 'value', 'version')
  if not h[1] then return nil, 0 end
  return h[1], tonumber(h[2])
end

-- Drops index entries whose value expired (TTL): the index has no TTL of its own.
local function prune()
  for _, k in ipairs(redis.call('ZRANGE', index, 0, -1)) do
    if redis.call('EXISTS', vkey(k)) == 0 then redis.call('ZREM', index, k) end
  end
end

local function admit(k, maxKeys)
  if redis.call('ZSCORE', index, k) then return true end
  if redis.call('ZCARD', index) < maxKeys then return true end
  prune()
  return redis.call('ZCARD', index) < maxKeys
end

-- ttl > 0 sets a TTL in ms, 0 makes the key persistent, -1 keeps what the key had.
local function store(k, value, ttl)
  local zxid = redis.call('INCR', 'stoke:state:zxid')
  redis.call('HSET', vkey(k), 'value', value, 'version', zxid)
  if ttl > 0 then redis.call('PEXPIRE', vkey(k), ttl)
  elseif ttl == 0 then redis.call('PERSIST', vkey(k)) end
  redis.call('ZADD', index, 0, k)
  return zxid
end

local function limitError(maxKeys)
  return cjson.encode({error = 'LimitExceeded', limit = 'max-keys-per-function', max = maxKeys})
end

if op == 'get' then
  local value, version = read(key)
  if not value then return cjson.encode({error = 'NoKey', key = key}) end
  return cjson.encode({key = key, value = value, version = version, ttlMs = redis.call('PTTL', vkey(key))})
elseif op == 'put' or op == 'cas' then
  local value, ttl, maxKeys, expected = ARGV[4], tonumber(ARGV[5]), tonumber(ARGV[6]), tonumber(ARGV[7])
  local _, current = read(key)
  if op == 'cas' and current ~= expected then
    return cjson.encode({error = 'BadVersion', key = key, expected = expected, version = current})
  end
  if not admit(key, maxKeys) then return limitError(maxKeys) end
  return cjson.encode({key = key, version = store(key, value, ttl)})
elseif op == 'incr' then
  local delta, ttl, maxKeys = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
  local value = read(key) or '0'
  if not string.match(value, '^%-?%d+$') or #value > 15 then
    return cjson.encode({error = 'NotAnInteger', key = key})
  end
  local result = tonumber(value) + delta
  -- Lua numbers are doubles: stay where every integer is exact.
  if math.abs(result) >= 2^53 then return cjson.encode({error = 'NotAnInteger', key = key}) end
  if not admit(key, maxKeys) then return limitError(maxKeys) end
  local text = string.format('%d', result)
  return cjson.encode({key = key, value = text, version = store(key, text, ttl)})
elseif op == 'delete' then
  local expected = tonumber(ARGV[4])
  local value, current = read(key)
  if not value then return cjson.encode({error = 'NoKey', key = key}) end
  if expected >= 0 and current ~= expected then
    return cjson.encode({error = 'BadVersion', key = key, expected = expected, version = current})
  end
  redis.call('DEL', vkey(key))
  redis.call('ZREM', index, key)
  return cjson.encode({key = key, deleted = true, zxid = redis.call('INCR', 'stoke:state:zxid')})
elseif op == 'list' then
  -- key is the prefix; ARGV[4] the last key of the previous page ('' for the first); ARGV[5] the page size.
  local after, limit = ARGV[4], tonumber(ARGV[5])
  local min = '[' .. key
  if after ~= '' and after >= key then min = '(' .. after end
  -- No UTF-8 text contains the byte 0xFF, so it bounds every key that starts with the prefix.
  local names = redis.call('ZRANGEBYLEX', index, min, '[' .. key .. '\255', 'LIMIT', 0, limit)
  local items = {}
  for _, k in ipairs(names) do
    local value, version = read(k)
    if value then items[#items + 1] = {key = k, value = value, version = version}
    else redis.call('ZREM', index, k) end
  end
  local last = names[#names] or ''
  return cjson.encode({items = items, count = #items, next = (#names == limit) and last or ''})
end
return cjson.encode({error = 'BadArguments', message = 'unknown kv operation ' .. op})
