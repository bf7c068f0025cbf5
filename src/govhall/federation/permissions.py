from govhall.core.permissions import register

# The message endpoint: no session; the view itself authenticates the sender by its SM2 signature
# against the keys of a trusted peer (docs/federation.md).
NODE_SIGNED = register("federation.node_signed", "经节点签名认证", "authenticated by a trusted node's signature")
PEER_VIEW = register("federation.peer.view", "查看互信节点与报文日志", "view trusted nodes and the message log")
