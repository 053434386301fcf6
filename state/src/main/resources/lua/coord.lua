-- The coordination tree of one function (ZooKeeper's data model), applied atomically.
-- Every operation reads and changes an overlay of Lua tables; only when all operations of a
-- request succeeded is the overlay written to Redis, so a multi is all-or-nothing. A request that
-- writes takes one zxid from the global counter (stoke:state:zxid) for all its changes.
-- ARGV[1] = entry: 'multi' (ARGV: fn, ops JSON, session id, max nodes),
--                  'read'  (ARGV: fn, op, path, session id or ''),
--                  'session' (ARGV: action open|heartbeat|close, session id, fn, timeout ms),
--                  'reap'  (ARGV: max sessions): expires sessions past their deadline.
local entry = ARGV[1]
local now = (function() local t = redis.call('TIME'); return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) end)()
local SESSIONS = 'stoke:state:sessions'
local function skey(sid) return 'stoke:state:session:' .. sid end

local base, nodes, dirty, childOps, fires, ephOps, created = nil, {}, {}, {}, {}, {}, 0
local zxid = nil
local function nkey(p) return base .. ':n:' .. p end
local function ckey(p) return base .. ':c:' .. p end
local function wkey(kind, p) return base .. ':w' .. kind .. ':' .. p end
local function nextZxid()
  if not zxid then zxid = tonumber(redis.call('GET', 'stoke:state:zxid') or '0') + 1 end
  return zxid
end

local NUMERIC = {'version', 'cversion', 'czxid', 'mzxid', 'pzxid', 'numChildren', 'ctime', 'mtime'}
local function load(p)
  local n = nodes[p]
  if n ~= nil then return n or nil end
  local h = redis.call('HGETALL', nkey(p))
  if #h == 0 then
    if p ~= '/' then nodes[p] = false; return nil end
    h = {'data', '', 'eph', ''}
  end
  local t = {}
  for i = 1, #h, 2 do t[h[i]] = h[i + 1] end
  for _, f in ipairs(NUMERIC) do t[f] = tonumber(t[f] or '0') end
  nodes[p] = t
  return t
end
local function touch(p) dirty[#dirty + 1] = p end
local function parentOf(p) local q = string.match(p, '^(.*)/[^/]+$'); if q == '' then return '/' end; return q end
local function nameOf(p) return string.match(p, '/([^/]+)$') end

local function stat(n)
  return {version = n.version, cversion = n.cversion, czxid = n.czxid, mzxid = n.mzxid, pzxid = n.pzxid,
          ctime = n.ctime, mtime = n.mtime, numChildren = n.numChildren, dataLength = #n.data,
          ephemeralOwner = n.eph}
end
local function fail(code, p, extra)
  local e = extra or {}; e.error = code; e.path = p; return e
end

local function liveSession(sid, fn)
  if sid == '' then return false end
  local s = redis.call('HMGET', skey(sid), 'state', 'fn')
  local deadline = redis.call('ZSCORE', SESSIONS, sid)
  return s[1] == 'open' and s[2] == fn and deadline and tonumber(deadline) >= now
end

local function opCreate(o, sid, fn, maxNodes)
  local pp = parentOf(o.path)
  local parent = load(pp)
  if not parent then return fail('NoNode', pp) end
  if parent.eph ~= '' then return fail('NoChildrenForEphemerals', pp) end
  local ephemeral = o.mode == 'ephemeral' or o.mode == 'ephemeral_sequential'
  if ephemeral and not liveSession(sid, fn) then return fail('SessionExpired', o.path) end
  local path = o.path
  if o.mode == 'sequential' or o.mode == 'ephemeral_sequential' then
    path = path .. string.format('%010d', parent.cversion)
  end
  if load(path) then return fail('NodeExists', path) end
  local count = tonumber(redis.call('GET', base .. ':count') or '0') + created
  if count >= maxNodes then return fail('LimitExceeded', path, {limit = 'max-nodes-per-function', max = maxNodes}) end
  local z = nextZxid()
  nodes[path] = {data = o.data or '', version = 0, cversion = 0, czxid = z, mzxid = z, pzxid = z,
                 ctime = now, mtime = now, numChildren = 0, eph = ephemeral and sid or ''}
  touch(path)
  parent.cversion = parent.cversion + 1; parent.numChildren = parent.numChildren + 1; parent.pzxid = z
  touch(pp)
  created = created + 1
  childOps[#childOps + 1] = {pp, nameOf(path), true}
  if ephemeral then ephOps[#ephOps + 1] = {sid, path, true} end
  fires[#fires + 1] = {'d', path, 'NodeCreated'}
  fires[#fires + 1] = {'c', pp, 'NodeChildrenChanged'}
  return {path = path, stat = stat(nodes[path])}
end

local function versionMismatch(n, o)
  return o.version ~= nil and o.version >= 0 and n.version ~= o.version
end

local function opDelete(o)
  if o.path == '/' then return fail('BadArguments', '/', {message = 'the root cannot be deleted'}) end
  local n = load(o.path)
  if not n then return fail('NoNode', o.path) end
  if versionMismatch(n, o) then return fail('BadVersion', o.path, {version = n.version, expected = o.version}) end
  if n.numChildren > 0 then return fail('NotEmpty', o.path) end
  local z = nextZxid()
  local pp = parentOf(o.path)
  local parent = load(pp)
  parent.cversion = parent.cversion + 1; parent.numChildren = parent.numChildren - 1; parent.pzxid = z
  touch(pp)
  nodes[o.path] = false; touch(o.path)
  created = created - 1
  childOps[#childOps + 1] = {pp, nameOf(o.path), false}
  if n.eph ~= '' then ephOps[#ephOps + 1] = {n.eph, o.path, false} end
  fires[#fires + 1] = {'d', o.path, 'NodeDeleted'}
  fires[#fires + 1] = {'c', o.path, 'NodeDeleted'}
  fires[#fires + 1] = {'c', pp, 'NodeChildrenChanged'}
  return {path = o.path}
end

local function opSet(o)
  local n = load(o.path)
  if not n then return fail('NoNode', o.path) end
  if versionMismatch(n, o) then return fail('BadVersion', o.path, {version = n.version, expected = o.version}) end
  n.data = o.data or ''; n.version = n.version + 1; n.mzxid = nextZxid(); n.mtime = now
  touch(o.path)
  fires[#fires + 1] = {'d', o.path, 'NodeDataChanged'}
  return {path = o.path, stat = stat(n)}
end

local function opCheck(o)
  local n = load(o.path)
  if not n then return fail('NoNode', o.path) end
  if versionMismatch(n, o) then return fail('BadVersion', o.path, {version = n.version, expected = o.version}) end
  return {path = o.path}
end

-- One event per watching session, in the order of the writes: each session's list only grows at
-- its tail, and every write happens inside one script.
local function deliver(sid, event)
  if redis.call('HGET', skey(sid), 'state') ~= 'open' then return end
  event.seq = redis.call('HINCRBY', skey(sid), 'seq', 1)
  redis.call('RPUSH', skey(sid) .. ':events', cjson.encode(event))
  redis.call('PUBLISH', 'stoke:state:events', sid)
end

local function fire(kind, p, type, fn)
  local key = wkey(kind, p)
  local sids = redis.call('SMEMBERS', key)
  if #sids == 0 then return end
  redis.call('DEL', key)
  for _, sid in ipairs(sids) do
    redis.call('SREM', skey(sid) .. ':watches', fn .. '\n' .. kind .. p)
    deliver(sid, {type = type, path = p, zxid = zxid, watch = (kind == 'd') and 'data' or 'children'})
  end
end

local function flush(fn)
  if not zxid then return end
  redis.call('SET', 'stoke:state:zxid', zxid)
  for _, p in ipairs(dirty) do
    local n = nodes[p]
    if n then
      redis.call('HSET', nkey(p), 'data', n.data, 'eph', n.eph, 'version', n.version, 'cversion', n.cversion,
        'czxid', n.czxid, 'mzxid', n.mzxid, 'pzxid', n.pzxid, 'ctime', n.ctime, 'mtime', n.mtime,
        'numChildren', n.numChildren)
    else
      redis.call('DEL', nkey(p), ckey(p))
    end
  end
  for _, c in ipairs(childOps) do
    if c[3] then redis.call('ZADD', ckey(c[1]), 0, c[2]) else redis.call('ZREM', ckey(c[1]), c[2]) end
  end
  if created ~= 0 then redis.call('INCRBY', base .. ':count', created) end
  for _, e in ipairs(ephOps) do
    if e[3] then redis.call('SADD', skey(e[1]) .. ':eph', e[2]) else redis.call('SREM', skey(e[1]) .. ':eph', e[2]) end
  end
  for _, f in ipairs(fires) do fire(f[1], f[2], f[3], fn) end
end

local OPS = {create = opCreate, delete = opDelete, set = opSet, check = opCheck}

local function multi(fn, ops, sid, maxNodes)
  base = 'stoke:state:zk:' .. fn
  local results = {}
  for i, o in ipairs(ops) do
    local handler = OPS[o.op]
    if not handler then return {error = 'BadArguments', index = i - 1, message = 'unknown operation'} end
    local r = handler(o, sid, fn, maxNodes)
    if r.error then r.index = i - 1; return r end
    results[i] = r
  end
  flush(fn)
  return {results = results, zxid = zxid or tonumber(redis.call('GET', 'stoke:state:zxid') or '0')}
end

local function watch(fn, kind, p, sid)
  redis.call('SADD', wkey(kind, p), sid)
  redis.call('SADD', skey(sid) .. ':watches', fn .. '\n' .. kind .. p)
end

local function read(fn, op, p, sid)
  base = 'stoke:state:zk:' .. fn
  if sid ~= '' and not liveSession(sid, fn) then return fail('SessionExpired', p) end
  local n = load(p)
  local z = tonumber(redis.call('GET', 'stoke:state:zxid') or '0')
  if op == 'exists' then
    if sid ~= '' then watch(fn, 'd', p, sid) end
    if not n then return {path = p, exists = false, zxid = z} end
    return {path = p, exists = true, stat = stat(n), zxid = z}
  end
  if not n then return fail('NoNode', p) end
  if op == 'get' then
    if sid ~= '' then watch(fn, 'd', p, sid) end
    return {path = p, data = n.data, stat = stat(n), zxid = z}
  end
  if sid ~= '' then watch(fn, 'c', p, sid) end
  return {path = p, children = redis.call('ZRANGE', ckey(p), 0, -1), stat = stat(n), zxid = z}
end

-- Ends a session: its own watches are dropped, its ephemeral nodes deleted (firing the watches of
-- other sessions like any delete), and it is told why. The hash stays a minute so a poller learns it.
local function teardown(sid, reason)
  local fn = redis.call('HGET', skey(sid), 'fn')
  if not fn or redis.call('HGET', skey(sid), 'state') ~= 'open' then return end
  base = 'stoke:state:zk:' .. fn
  nodes, dirty, childOps, fires, ephOps, created, zxid = {}, {}, {}, {}, {}, 0, nil
  -- Its own watches go first: as in ZooKeeper, an expired session is told only that it expired.
  for _, w in ipairs(redis.call('SMEMBERS', skey(sid) .. ':watches')) do
    local wfn, kind, p = string.match(w, '^([^\n]*)\n(.)(.*)$')
    redis.call('SREM', 'stoke:state:zk:' .. wfn .. ':w' .. kind .. ':' .. p, sid)
  end
  local paths = redis.call('SMEMBERS', skey(sid) .. ':eph')
  table.sort(paths, function(a, b) return a > b end)
  for _, p in ipairs(paths) do
    if load(p) then opDelete({path = p, version = -1}) end
  end
  flush(fn)
  deliver(sid, {type = reason, zxid = zxid or tonumber(redis.call('GET', 'stoke:state:zxid') or '0')})
  redis.call('HSET', skey(sid), 'state', reason)
  redis.call('ZREM', SESSIONS, sid)
  redis.call('DEL', skey(sid) .. ':eph', skey(sid) .. ':watches')
  redis.call('PEXPIRE', skey(sid), 60000)
  redis.call('PEXPIRE', skey(sid) .. ':events', 60000)
end

local function session(action, sid, fn, timeout)
  local s = redis.call('HMGET', skey(sid), 'state', 'fn', 'timeoutMs')
  if action == 'open' then
    if s[1] then return {error = 'SessionExists', session = sid} end
    redis.call('HSET', skey(sid), 'fn', fn, 'state', 'open', 'timeoutMs', timeout, 'seq', 0)
    redis.call('ZADD', SESSIONS, now + timeout, sid)
    return {session = sid, timeoutMs = timeout}
  end
  if s[2] ~= fn or not s[1] then return {error = 'NoSession', session = sid} end
  if s[1] ~= 'open' then return {error = 'SessionExpired', session = sid, state = s[1]} end
  local deadline = tonumber(redis.call('ZSCORE', SESSIONS, sid))
  if deadline < now then teardown(sid, 'SessionExpired'); return {error = 'SessionExpired', session = sid} end
  if action == 'close' then teardown(sid, 'SessionClosed'); return {session = sid, closed = true} end
  redis.call('ZADD', SESSIONS, now + tonumber(s[3]), sid)
  return {session = sid, timeoutMs = tonumber(s[3])}
end

local reply
if entry == 'multi' then
  reply = multi(ARGV[2], cjson.decode(ARGV[3]), ARGV[4], tonumber(ARGV[5]))
elseif entry == 'read' then
  reply = read(ARGV[2], ARGV[3], ARGV[4], ARGV[5])
elseif entry == 'session' then
  reply = session(ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]))
elseif entry == 'reap' then
  local due = redis.call('ZRANGEBYSCORE', SESSIONS, '-inf', '(' .. now, 'LIMIT', 0, tonumber(ARGV[2]))
  for _, sid in ipairs(due) do teardown(sid, 'SessionExpired') end
  reply = {expired = #due}
else
  reply = {error = 'BadArguments', message = 'unknown entry ' .. entry}
end
return cjson.encode(reply)
