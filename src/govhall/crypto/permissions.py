from govhall.core.permissions import register

CA_MANAGE = register("crypto.ca.manage", "管理平台证书机构（签发、吊销证书，发布吊销列表）",
                     "run the platform certificate authority (issue and revoke certificates, publish the CRL)")
SEAL_MANAGE = register("crypto.seal.manage", "管理电子印章（制章、授权、吊销）",
                       "manage electronic seals (create, authorise staff, revoke)")
