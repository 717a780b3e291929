"""django-axes' login records (access attempts, failures and logs) in the admin for superusers only.

They are an operator's tool (addresses, user agents, the usernames people tried): editors, who
are staff with permissions on articles, never see them, whatever permissions they are given.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin


class SuperuserOnly:
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request) and super().has_delete_permission(request, obj)

    def has_add_permission(self, request, *args):
        return self.has_module_permission(request) and super().has_add_permission(request, *args)


for model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):  # axes registers them unless AXES_ENABLE_ADMIN is off
        model_admin = type(admin.site.get_model_admin(model))
        admin.site.unregister(model)
        admin.site.register(model, type(model_admin.__name__, (SuperuserOnly, model_admin), {}))
