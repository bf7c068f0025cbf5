"""Permissions of the account pages.

Registration is PUBLIC. The other account pages need a logged-in user (AUTHENTICATED): applicants
hold no staff roles, so a role-granted code would lock them out. What a user may see or change
there is decided by the ``access_*`` selectors (their own identity, the legal persons they
represent, the mandates of those), which answer 404 otherwise.
"""

from govhall.core.permissions import AUTHENTICATED, PUBLIC

REGISTER = PUBLIC
ACCOUNT = AUTHENTICATED
