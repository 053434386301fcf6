-- The watch events of one session after a cursor: acknowledged ones (seq <= ARGV[3]) are dropped,
-- the rest returned in order. ARGV: session id, function, cursor.
local key = 'stoke:state:session:' .. ARGV[1]
local s = redis.call('HMGET', key, 'state', 'fn')
if not s[1] or s[2] ~= ARGV[2] then return cjson.encode({error = 'NoSession', session = ARGV[1]}) end
local after = tonumber(ARGV[3])
while true do
  local head = redis.call('LINDEX', key .. ':events', 0)
  if not head or cjson.decode(head).seq > after then break end
  redis.call('LPOP', key .. ':events')
end
return cjson.encode({state = s[1], events = redis.call('LRANGE', key .. ':events', 0, -1)})
